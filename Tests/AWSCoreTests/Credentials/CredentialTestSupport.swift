import AWSCore
import Foundation
import Logging
import SigV4
import Synchronization
import TestSupport

func isoDate(_ text: String) -> Date {
    (try? Date(text, strategy: .iso8601)) ?? Date(timeIntervalSince1970: 0)
}

func isoString(_ date: Date) -> String {
    date.formatted(.iso8601)
}

func capturingLogger() -> (Logger, CapturingLogHandler.Records) {
    CapturingLogHandler.logger(label: "test.credentials")
}

func quietLogger() -> Logger {
    var logger = Logger(label: "test.credentials")
    logger.logLevel = .critical
    return logger
}

/// A fresh directory under the system temp directory, removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("creds-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

func write(_ text: String, to path: String, executable: Bool = false) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    if executable {
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
}

/// Secrets the tests hand out; none may appear in an error description or a log line.
enum TestSecrets {
    static let secretKey = "SECRETKEYdoNotLeak0000000000000000000000"
    static let sessionToken = "SESSIONTOKENdoNotLeak"
    static let webIdentityToken = "WEBIDENTITYTOKENdoNotLeak"
    static let containerToken = "CONTAINERTOKENdoNotLeak"
    static let all = [secretKey, sessionToken, webIdentityToken, containerToken, "doNotLeak"]

    static func leaks(in text: String) -> [String] {
        all.filter { text.contains($0) }
    }
}

/// The JSON document IMDS and the container endpoint serve.
func metadataCredentialsJSON(accessKey: String = "ASIAMETADATA", expiration: Date) -> String {
    """
    {"Code":"Success","LastUpdated":"2026-11-27T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"\(accessKey)",\
    "SecretAccessKey":"\(TestSecrets.secretKey)","Token":"\(TestSecrets.sessionToken)","Expiration":"\(isoString(expiration))"}
    """
}

/// An environment with no credentials anywhere: no HOME, IMDS disabled.
let emptyEnvironment: [String: String] = ["AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent-home-for-tests"]

/// A fast STS retry policy for tests.
let fastRetry = AWSRetryConfiguration(maxAttempts: 2, backoffUnit: .milliseconds(5))

func testChainConfiguration(refresh: CredentialRefreshConfiguration = CredentialRefreshConfiguration())
    -> AWSCredentialChainConfiguration
{
    AWSCredentialChainConfiguration(
        refresh: refresh, stsRetry: fastRetry,
        instanceMetadata: .init(timeout: .seconds(1), attempts: 2),
        container: .init(timeout: .seconds(2), attempts: 2),
        credentialProcess: .init(timeout: .seconds(5), maxOutputBytes: 4096))
}

/// The form fields of a query-protocol request body.
func formFields(_ body: [UInt8]) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
        fields[parts[0]] = parts.count > 1 ? parts[1] : ""
    }
    return fields
}
