import AWSCore
import ArgumentParser
import Foundation
import Logging

/// `aws-realtime call <service> <Operation>`: one signed call, the decoded response printed as
/// JSON. The operator's tool to check credentials, region, endpoint and permissions.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Make one signed AWS call and print the decoded response as JSON.",
        discussion: """
            SERVICE is named as the AWS CLI names it: \(AWSService.all.map(\.cliName).joined(separator: ", ")).
            INPUT is the operation's input as the AWS API reference writes it, in JSON.
            Credentials, region and endpoint come from the same settings as the worker: the AWS SDKs'
            credential chain (environment, web identity, ~/.aws/credentials and ~/.aws/config with
            AWS_PROFILE, the ECS/EKS container endpoint, EC2 instance metadata), AWS_REGION or the
            profile's region, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, AWS_MAX_ATTEMPTS.
            """
    )

    @Argument(help: "The service, as the AWS CLI names it (cloudwatch, logs, cloudtrail, ce, securityhub, health, sts).")
    var service: String

    @Argument(help: "The operation, as the AWS API reference names it (ListMetrics, GetMetricData, ...).")
    var operation: String

    @Option(help: "The region (default: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region).")
    var region: String?

    @Option(help: "The operation's input as a JSON object.")
    var input: String = "{}"

    @Flag(help: "Print the signed request instead of sending it (the session token redacted).")
    var dryRun = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let service = AWSService.named(service) else {
            throw ValidationError(
                "unknown service '\(service)'; known services: \(AWSService.all.map(\.cliName).joined(separator: ", "))")
        }
        guard operation.first?.isUppercase == true, operation.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw ValidationError("'\(operation)' is not an operation name such as ListMetrics")
        }
        let inputValue: JSONValue
        do {
            inputValue = try JSONValue(parsing: input)
        } catch {
            throw ValidationError("--input is not valid JSON")
        }
        try LoggingConfiguration.bootstrapFromEnvironment(environment)
        let logger = Logger(label: "aws-realtime.call")

        do {
            let retry = try AWSRetryConfiguration.fromEnvironment(environment)
            let endpoints = AWSEndpointResolver(environment: environment)
            try await TransportFactory.withTransport(environment: environment, logger: logger) { transport in
                let credentials = AWSCredentialChain.makeDefault(environment: environment, transport: transport, logger: logger)
                let region = try AWSRegion.resolve(
                    explicit: self.region, environment: environment, profileRegion: credentials.profileRegion)
                if dryRun {
                    let client = AWSClient(
                        region: region, transport: DryRunTransport(), credentialProvider: credentials,
                        endpoints: endpoints, retry: retry, logger: logger)
                    let request = try AWSClient.operationRequest(service: service, operation: operation, input: inputValue)
                    print(Self.describe(try await client.signedRequest(for: request)))
                    return
                }
                let client = AWSClient(
                    region: region, transport: transport, credentialProvider: credentials,
                    endpoints: endpoints, retry: retry, logger: logger)
                let output = try await client.call(service, operation: operation, input: inputValue)
                print(output.encodedString(pretty: true))
            }
        } catch let error as AWSError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(error.kind == .service ? 2 : 1)
        }
    }

    /// The signed request as an operator reads it: every header, the session token redacted.
    static func describe(_ request: AWSHTTPRequest) -> String {
        var lines = ["\(request.method) \(request.url)"]
        for header in request.headers {
            let isSecret = header.name.lowercased() == "x-amz-security-token"
            lines.append("\(header.name): \(isSecret ? "<redacted>" : header.value)")
        }
        lines.append("")
        lines.append(String(decoding: request.body, as: UTF8.self))
        return lines.joined(separator: "\n")
    }
}

/// The transport of `--dry-run`: nothing is sent.
private struct DryRunTransport: Transport {
    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        throw CancellationError()
    }
}
