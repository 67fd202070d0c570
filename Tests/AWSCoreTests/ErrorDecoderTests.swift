import Foundation
import Testing

@testable import AWSCore

@Suite struct ErrorDecoderTests {
    @Test func queryXMLError() throws {
        let response = AWSHTTPResponse(status: 400, body: try fixtures.bytes("errors/cloudformation-Throttling.xml"))
        let error = AWSErrorDecoder.decode(response, service: .cloudWatch, operation: "GetMetricData")
        #expect(error.code == "Throttling")
        #expect(error.message == "Rate exceeded")
        #expect(error.requestID == "ec3dfa7f-6b83-11e4-adb9-63c309e27d3f")
        #expect(error.isRetryable)
        #expect(error.description.contains("cloudwatch GetMetricData"))
    }

    @Test func queryAccessDeniedIsNotRetryable() throws {
        let response = AWSHTTPResponse(status: 403, body: try fixtures.bytes("errors/sts-AccessDenied.xml"))
        let error = AWSErrorDecoder.decode(response, service: .sts, operation: "GetSessionToken")
        #expect(error.code == "AccessDenied")
        #expect(!error.isRetryable)
        #expect(error.httpStatus == 403)
    }

    @Test func jsonErrorWithNamespacedType() throws {
        let response = AWSHTTPResponse(
            status: 400, headers: [AWSHTTPHeader("x-amzn-RequestId", "req-1")],
            body: try fixtures.bytes("errors/coral-ExpiredTokenException.json"))
        let error = AWSErrorDecoder.decode(response, service: .cloudTrail, operation: "LookupEvents")
        #expect(error.code == "ExpiredTokenException")
        #expect(error.message == "The security token included in the request is expired")
        #expect(error.requestID == "req-1")
    }

    @Test func restJSONErrorFromHeader() throws {
        let raw = try fixtures.text("errors/elastictranscoder-ThrottlingException.http")
        let (status, headers, body) = parseHTTP(raw)
        let error = AWSErrorDecoder.decode(
            AWSHTTPResponse(status: status, headers: headers, body: body), service: .securityHub, operation: "GetFindings")
        #expect(error.code == "ThrottlingException")
        #expect(error.requestID == "1234")
        #expect(error.isRetryable)
    }

    @Test func queryCompatibleHeaderWins() {
        let response = AWSHTTPResponse(
            status: 400, headers: [AWSHTTPHeader("x-amzn-query-error", "Throttling;Sender")],
            body: Array(#"{"__type":"com.amazonaws.cloudwatch#ThrottlingException","message":"Rate exceeded"}"#.utf8))
        #expect(AWSErrorDecoder.decode(response, service: .cloudWatchLogs, operation: "X").code == "Throttling")
    }

    @Test func unreadableBodyFallsBackToTheStatus() {
        let response = AWSHTTPResponse(status: 503, body: Array("<html>busy</html".utf8))
        let error = AWSErrorDecoder.decode(response, service: .health, operation: "DescribeEvents")
        #expect(error.code == "ServiceUnavailable")
        #expect(error.isRetryable)
    }

    /// Every error case of the Smithy protocol compliance tests for awsJson1_1, restJson1 and awsQuery.
    @Test(arguments: ["awsJson1_1-errors.json", "restJson1-errors.json", "awsQuery-xml-errors.json"])
    func smithyProtocolTests(file: String) throws {
        let cases = try JSONValue(parsing: fixtures.bytes("errors/smithy/\(file)")).arrayValue ?? []
        var checked = 0
        for testCase in cases {
            let id = testCase["id"]?.stringValue ?? ""
            let expected = ["FooError", "InvalidGreeting", "ComplexError", "Customized"].first { id.contains($0) }
            guard let expected else { continue }  // the success cases of GreetingWithErrors
            let headers = (testCase["headers"]?.objectValue ?? [:]).map { AWSHTTPHeader($0.key, $0.value.stringValue ?? "") }
            let body = Array((testCase["body"]?.stringValue ?? "").utf8)
            let service: AWSService =
                file.hasPrefix("awsQuery") ? .cloudWatch : file.hasPrefix("rest") ? .securityHub : .cloudTrail
            let error = AWSErrorDecoder.decode(
                AWSHTTPResponse(status: 400, headers: headers, body: body), service: service, operation: "Op")
            #expect(error.code == expected, "\(id)")
            checked += 1
        }
        #expect(checked >= 3)
    }

    private func parseHTTP(_ raw: String) -> (Int, [AWSHTTPHeader], [UInt8]) {
        let parts = raw.components(separatedBy: "\n\n")
        let lines = parts[0].split(separator: "\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        let headers = lines.dropFirst().compactMap { line -> AWSHTTPHeader? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return AWSHTTPHeader(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return (status, headers, Array(parts.dropFirst().joined(separator: "\n\n").utf8))
    }
}
