import AWSCore
/// What went wrong reading, writing or replaying captures, and where.
public struct CaptureError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, for callers that react to it.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case invalidCapture, unreadableFolder, writeFailed, folderFull, invalidSchedule
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A capture file is not valid JSON or misses a field: fix the file named in the error.
        public static let invalidCapture = Code(.invalidCapture)
        /// A capture folder cannot be listed or a file cannot be read.
        public static let unreadableFolder = Code(.unreadableFolder)
        /// A capture could not be written (permissions, disk full, folder missing).
        public static let writeFailed = Code(.writeFailed)
        /// The recorder reached its configured maximum number of captures.
        public static let folderFull = Code(.folderFull)
        /// A fault schedule is not valid.
        public static let invalidSchedule = Code(.invalidSchedule)

        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    /// The file concerned, if any.
    public var file: String?
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, file: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.underlying = underlying
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let file { text += " (file: \(file))" }
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
