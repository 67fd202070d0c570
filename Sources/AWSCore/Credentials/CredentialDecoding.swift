import Foundation
import SigV4

/// Reads the credential documents AWS hands out. Error messages name the missing field, never a value.
enum CredentialDecoding {
    /// An ISO 8601 timestamp, with or without fractional seconds (`2026-11-27T00:00:00Z`).
    static func date(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = try? Date(trimmed, strategy: Date.ISO8601FormatStyle()) { return date }
        return try? Date(trimmed, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The `Credentials` structure of an STS result (`AccessKeyId`, `SecretAccessKey`, `SessionToken`, `Expiration`).
    static func stsCredentials(_ result: JSONValue, operation: String) throws(AWSError) -> ExpiringCredentials {
        guard let credentials = result["Credentials"] else {
            throw AWSError(
                kind: .malformedResponse, service: "sts", operation: operation, message: "the response has no Credentials")
        }
        return try read(
            credentials, accessKey: "AccessKeyId", secret: "SecretAccessKey", token: "SessionToken", isExpirationRequired: true,
            what: "the \(operation) response")
    }

    /// The container endpoint's and instance metadata's document (`AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`).
    static func metadataCredentials(_ document: JSONValue, what: String) throws(AWSError) -> ExpiringCredentials {
        try read(
            document, accessKey: "AccessKeyId", secret: "SecretAccessKey", token: "Token", isExpirationRequired: true, what: what)
    }

    static func read(
        _ object: JSONValue, accessKey: String, secret: String, token: String, isExpirationRequired: Bool, what: String
    ) throws(AWSError) -> ExpiringCredentials {
        guard let accessKeyID = object[accessKey]?.stringValue, !accessKeyID.isEmpty else {
            throw AWSError(kind: .credentials, message: "\(what) has no \(accessKey)")
        }
        guard let secretKey = object[secret]?.stringValue, !secretKey.isEmpty else {
            throw AWSError(kind: .credentials, message: "\(what) has no \(secret)")
        }
        let sessionToken = object[token]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        var expiration: Date?
        if let text = object["Expiration"]?.stringValue {
            guard let date = date(text) else {
                throw AWSError(kind: .credentials, message: "\(what) has an Expiration that is not an ISO 8601 time: '\(text)'")
            }
            expiration = date
        } else if isExpirationRequired {
            throw AWSError(kind: .credentials, message: "\(what) has no Expiration")
        }
        return ExpiringCredentials(
            AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secretKey, sessionToken: sessionToken),
            expiration: expiration)
    }

    /// Reads at most `limit` bytes of a small file (a token); `nil` with a reason when it cannot.
    static func readSmallFile(_ path: String, limit: Int) -> Result<[UInt8], FileReadFailure> {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(FileManager.default.fileExists(atPath: path) ? .unreadable : .missing)
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            guard data.count <= limit else { return .failure(.tooLarge) }
            return .success(Array(data))
        } catch {
            return .failure(.unreadable)
        }
    }

    enum FileReadFailure: Error, CustomStringConvertible {
        case missing, unreadable, tooLarge

        var description: String {
            switch self {
            case .missing: "does not exist"
            case .unreadable: "cannot be read"
            case .tooLarge: "is too large"
            }
        }
    }

    /// A token read from a file: surrounding white space (a trailing newline) removed.
    static func readToken(_ path: String, limit: Int = 1024 * 1024) -> Result<String, FileReadFailure> {
        readSmallFile(path, limit: limit).map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
