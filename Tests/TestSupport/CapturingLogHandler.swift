import Logging
import Synchronization

/// A log handler that keeps every record with its metadata: for tests that count log lines, read
/// what a log line says, or check that no secret is logged.
public struct CapturingLogHandler: LogHandler {
    public struct Record: Sendable {
        public var level: Logger.Level
        public var message: String
        /// The logger's metadata with the record's own over it.
        public var metadata: Logger.Metadata

        /// `level message key=value ...`, the keys sorted.
        public var line: String {
            let rendered = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return "\(level) \(message) \(rendered)"
        }
    }

    /// What the handlers of one logger captured, in order.
    public final class Records: Sendable {
        private let records = Mutex<[Record]>([])

        public var all: [Record] { records.withLock { $0 } }
        /// Every record as its ``Record/line``, one a line.
        public var text: String { all.map(\.line).joined(separator: "\n") }

        func append(_ record: Record) { records.withLock { $0.append(record) } }
    }

    let records: Records
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .trace

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        records.append(Record(level: event.level, message: "\(event.message)", metadata: merged))
    }

    /// A logger at `.trace` whose every record is kept in the returned ``Records``.
    public static func logger(label: String = "aws-realtime.tests.capturing") -> (Logger, Records) {
        let records = Records()
        return (Logger(label: label) { _ in CapturingLogHandler(records: records) }, records)
    }
}
