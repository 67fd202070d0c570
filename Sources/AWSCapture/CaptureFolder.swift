import AWSCore
import Foundation

/// A folder of capture files: one scenario. Files are served in file-name order, so a numeric
/// prefix (`0001-`, `0002-`) sets the order of the pages of a listing.
public enum CaptureFolder {
    /// Folders with more capture files than this are refused.
    public static let maximumFiles = 10_000

    /// Loads every `*.json` file directly in `path` (not in sub-folders), sorted by name.
    public static func load(_ path: String) throws(CaptureError) -> [Capture] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw CaptureError(.unreadableFolder, "cannot list the capture folder", file: path, underlying: error)
        }
        let files = names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        guard files.count <= maximumFiles else {
            throw CaptureError(.unreadableFolder, "more than \(maximumFiles) capture files", file: path)
        }
        var captures: [Capture] = []
        for file in files {
            captures.append(try loadFile((path as NSString).appendingPathComponent(file), name: file))
        }
        return captures
    }

    /// Loads one capture file; `name` defaults to the file's last path component.
    public static func loadFile(_ path: String, name: String? = nil) throws(CaptureError) -> Capture {
        let displayName = name ?? (path as NSString).lastPathComponent
        let bytes: [UInt8]
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > CaptureFile.maximumFileSize {
                throw CaptureError(.invalidCapture, "larger than \(CaptureFile.maximumFileSize) bytes", file: path)
            }
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as CaptureError {
            throw error
        } catch {
            throw CaptureError(.unreadableFolder, "cannot read the capture file", file: path, underlying: error)
        }
        return try CaptureFile.decode(bytes, name: displayName)
    }

    /// `0007-monitoring-GetMetricData.json`: sequence number, service, operation.
    public static func fileName(sequence: Int, service: String, operation: String) -> String {
        let number = String(sequence)
        let padded = String(repeating: "0", count: max(0, 4 - number.count)) + number
        return "\(padded)-\(sanitize(service))-\(sanitize(operation)).json"
    }

    static func sanitize(_ text: String) -> String {
        let cleaned = String(
            text.map { character -> Character in
                character.isASCII && (character.isLetter || character.isNumber || character == "_") ? character : "-"
            }
        )
        let trimmed = cleaned.split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
        return trimmed.isEmpty ? "request" : String(trimmed.prefix(80))
    }

    /// The service a request went to: the SigV4 credential scope's service if signed, else the
    /// first label of an AWS host name, else `aws`.
    public static func serviceName(of request: AWSHTTPRequest) -> String {
        let authorization = request.headers.value(named: "Authorization") ?? ""
        if let range = authorization.range(of: "Credential=") {
            let credential = authorization[range.upperBound...].prefix { $0 != "," && $0 != " " }
            let scope = credential.split(separator: "/")
            if scope.count >= 5 { return String(scope[3]) }
        }
        let host = CapturedRequest.splitURL(request.url).host ?? ""
        if host.hasSuffix(".amazonaws.com"), let label = host.split(separator: ".").first { return String(label) }
        if host.hasPrefix("169.254.169.254") { return "imds" }
        return "aws"
    }

    /// REST routes the project calls, named after their operation.
    static let restOperations: [String: String] = ["POST /findings": "GetFindings"]

    /// The operation name used in file names: `X-Amz-Target` suffix, `Action`, a known REST route,
    /// or the method and path.
    public static func operationName(of request: CapturedRequest, matching: CaptureMatching) -> String {
        let key = matching.key(for: request)
        if key.operation != nil { return key.operationName }
        return restOperations["\(key.method) \(key.path)"] ?? "\(key.method)\(key.path)"
    }
}
