import Bus
import Payloads

/// Where a client stands in each stream: the id of the last message it was sent, per stream.
///
/// An SSE event id carries the positions of every stream of its connection, so that one
/// `Last-Event-ID` resumes each stream from its own position:
/// `aws-metrics:1732665600000-0,aws-logs:1732665600123-4` (streams in their fixed order, those
/// without a position left out). `0-0` is the position of a stream that had nothing stored when
/// the client started it: it resumes from the start of what is stored. The id before positions
/// were carried, one bare message id (`1732665600000-0`), is still read: it stands for every
/// stream, as it did.
struct StreamPositions: Sendable, Equatable {
    /// Indexed as `StreamName.allCases`.
    private var ids: [BusMessageID?]

    init() {
        ids = Array(repeating: nil, count: StreamName.allCases.count)
    }

    subscript(stream: StreamName) -> BusMessageID? {
        get { StreamSet.index(of: stream).flatMap { ids[$0] } }
        set {
            guard let index = StreamSet.index(of: stream) else { return }
            ids[index] = newValue
        }
    }

    /// The SSE event id for a connection reading `streams`.
    func eventID(for streams: StreamSet) -> String {
        var text = ""
        for (index, stream) in StreamName.allCases.enumerated() where streams.contains(stream) {
            guard let id = ids[index] else { continue }
            if !text.isEmpty { text += "," }
            text += stream.rawValue
            text += ":"
            text += id.description
        }
        return text
    }

    /// What a `Last-Event-ID` (or `since`) says about where a client stands.
    enum ResumePoint: Sendable, Equatable {
        /// The old form, one message id: every stream resumes after it.
        case everyStream(BusMessageID)
        /// One position per stream; a stream without one starts from its snapshot.
        case perStream(StreamPositions)

        /// Where `stream` resumes from; nil: it starts from its snapshot.
        func since(_ stream: StreamName) -> BusMessageID? {
            switch self {
            case .everyStream(let id): id
            case .perStream(let positions): positions[stream]
            }
        }
    }

    /// The longest `Last-Event-ID` read: six positions take about 170 characters.
    static var maxEventIDLength: Int { 512 }

    /// Reads a `Last-Event-ID` in either form; nil when it is malformed (too long, a position
    /// that is not a message id, a stream named twice). Names of streams this gateway does not
    /// know are skipped, so an id from a newer gateway still resumes the streams it knows.
    static func resumePoint(from text: String) -> ResumePoint? {
        guard text.utf8.count <= maxEventIDLength else { return nil }
        guard text.contains(":") else { return BusMessageID(text).map(ResumePoint.everyStream) }
        var positions = StreamPositions()
        var named: Set<String> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = part.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, !pair[0].isEmpty, let id = BusMessageID(pair[1]), named.insert(String(pair[0])).inserted
            else { return nil }
            if let stream = StreamName(rawValue: String(pair[0])) { positions[stream] = id }
        }
        return .perStream(positions)
    }
}

/// A set of streams as one bit each (`StreamName.allCases` order): what an SSE connection reads,
/// compared in a single instruction when its prepared event is looked up.
struct StreamSet: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    init(_ streams: some Sequence<StreamName>) {
        var value: UInt8 = 0
        for stream in streams {
            if let index = Self.index(of: stream) { value |= 1 << index }
        }
        self.rawValue = value
    }

    func contains(_ stream: StreamName) -> Bool {
        guard let index = Self.index(of: stream) else { return false }
        return rawValue & (1 << index) != 0
    }

    static func index(of stream: StreamName) -> Int? {
        StreamName.allCases.firstIndex(of: stream)
    }
}
