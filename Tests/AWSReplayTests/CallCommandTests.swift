import AWSCore
import AWSReplay
import Foundation
import TestSupport
import Testing

/// `aws-realtime call` against the replay server, as an operator runs it.
@Suite(
    .timeLimit(.minutes(1)), .enabled(if: AWSRealtimeProcess.isBuilt, "build the aws-realtime executable first"),
    .tags(.integration))
struct CallCommandTests {
    /// Runs `aws-realtime call <arguments>` against `endpoint`; its exit status and standard output.
    static func call(_ arguments: [String], endpoint: String) async throws -> (status: Int32, output: String) {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("call-\(UUID().uuidString)").path
        let environment = [
            "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": ReplayEndToEndTests.secretKey, "HOME": home, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "1",
        ]
        let run = try ChildProcessRun.run(AWSRealtimeProcess.executable, ["call"] + arguments, environment: environment)
        return (run.status, run.stdout)
    }

    /// CloudWatch answers an empty list as an empty element (`<Metrics/>`); the SDKs and the AWS CLI
    /// print `[]`, and so does `call`. An empty string member stays `""`.
    @Test func emptyListsPrintAsEmptyArrays() async throws {
        let capture = Fixtures.query(
            "0001-monitoring-ListMetrics.json", requestBody: "Action=ListMetrics&Version=2010-08-01",
            responseBody: #"<ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricsResult>"#
                + "<Metrics/><OwningAccounts></OwningAccounts><NextToken/></ListMetricsResult>"
                + "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListMetricsResponse>")
        let (status, output) = try await Fixtures.withReplayServer(captures: [capture]) { server in
            try await Self.call(["cloudwatch", "ListMetrics"], endpoint: server.endpoint)
        }
        #expect(status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        #expect((object?["Metrics"] as? [Any])?.isEmpty == true, "\(output)")
        #expect((object?["OwningAccounts"] as? [Any])?.isEmpty == true, "\(output)")
        #expect(object?["NextToken"] as? String == "")
    }
}
