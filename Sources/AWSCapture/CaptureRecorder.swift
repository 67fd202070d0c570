import AWSCore
import Foundation

/// Writes exchanges into a capture folder, redacted, numbered in the order they complete.
public actor CaptureRecorder {
    public let folder: String
    public let redactor: CaptureRedactor
    public let maximumCaptures: Int
    private let matching = CaptureMatching()
    private var sequence: Int

    /// Creates the folder if needed. Numbering continues after the highest number already there,
    /// so several runs can record into one folder.
    public init(folder: String, redactor: CaptureRedactor = CaptureRedactor(), maximumCaptures: Int = 10_000)
        throws(CaptureError)
    {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw CaptureError(.writeFailed, "cannot create the capture folder", file: folder, underlying: error)
        }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        self.sequence = existing.compactMap { Int($0.prefix { $0.isNumber }) }.max() ?? 0
        self.folder = folder
        self.redactor = redactor
        self.maximumCaptures = maximumCaptures
    }

    /// Records one exchange; `response` is nil when the transport threw `error`.
    /// Returns the file name written.
    @discardableResult
    public func record(_ request: AWSHTTPRequest, response: AWSHTTPResponse?, error: (any Error)? = nil, note: String? = nil)
        throws(CaptureError) -> String
    {
        guard sequence < maximumCaptures else {
            throw CaptureError(.folderFull, "already \(maximumCaptures) captures; raise maximumCaptures", file: folder)
        }
        sequence += 1
        let captured = CapturedRequest(request)
        let name = CaptureFolder.fileName(
            sequence: sequence,
            service: CaptureFolder.serviceName(of: request),
            operation: CaptureFolder.operationName(of: captured, matching: matching)
        )
        let capture = redactor.redact(
            Capture(
                name: name,
                note: note,
                request: captured,
                response: response,
                transportError: response == nil ? (error.map { String(describing: $0) } ?? "no response") : nil
            )
        )
        let path = (folder as NSString).appendingPathComponent(name)
        do {
            try Data(CaptureFile.encode(capture)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CaptureError(.writeFailed, "cannot write the capture", file: path, underlying: error)
        }
        return name
    }
}
