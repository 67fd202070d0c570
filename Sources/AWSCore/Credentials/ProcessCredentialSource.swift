import Foundation

/// A shared-config profile's `credential_process`: the command runs through `/bin/sh -c`, must
/// exit 0 within the timeout and print at most `maxOutputBytes` of JSON:
/// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}`.
/// Without `Expiration` the credentials are kept for the life of the process.
///
/// Errors name the command's program (its first word) only, never its arguments or its output,
/// which hold secrets.
public struct ProcessCredentialSource: CredentialSource {
    public let name = "credential_process"
    public let command: String
    private let environment: [String: String]
    private let timeout: Duration
    private let maxOutputBytes: Int

    public init(command: String, environment: [String: String], timeout: Duration = .seconds(30), maxOutputBytes: Int = 64 * 1024)
    {
        self.command = command
        self.environment = environment
        self.timeout = timeout
        self.maxOutputBytes = maxOutputBytes
    }

    /// The program the command runs, for messages.
    var program: String {
        command.split(separator: " ", omittingEmptySubsequences: true).first.map(String.init) ?? ""
    }

    public func fetchCredentials() async throws -> ExpiringCredentials {
        let output: [UInt8]
        do {
            output = try await BoundedProcess.run(
                shellCommand: command, environment: environment, timeout: timeout, maxOutputBytes: maxOutputBytes)
        } catch {
            throw AWSError(
                kind: .credentials, message: "credential_process \(program) \(error)", configurationKey: "credential_process")
        }
        guard let document = try? JSONValue(parsing: output), document.objectValue != nil else {
            throw AWSError(
                kind: .credentials, message: "credential_process \(program) printed something that is not a JSON object",
                configurationKey: "credential_process")
        }
        guard document["Version"] == .integer(1) else {
            throw AWSError(
                kind: .credentials, message: "credential_process \(program) printed a document whose Version is not 1",
                configurationKey: "credential_process")
        }
        return try CredentialDecoding.read(
            document, accessKey: "AccessKeyId", secret: "SecretAccessKey", token: "SessionToken", isExpirationRequired: false,
            what: "the output of credential_process \(program)")
    }
}
