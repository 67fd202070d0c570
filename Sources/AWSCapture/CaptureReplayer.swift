import AWSCore
import TextFormats
/// What the replayer does when a request matches captures that have all been served already.
public struct CaptureExhaustion: Sendable, Hashable, CustomStringConvertible {
    private enum Value: String, Sendable, Hashable { case repeatLast, cycle, notFound }
    private let value: Value
    private init(_ value: Value) { self.value = value }

    /// Serve the last capture again (the default: a finished listing stays finished).
    public static let repeatLast = CaptureExhaustion(.repeatLast)
    /// Start again from the first capture.
    public static let cycle = CaptureExhaustion(.cycle)
    /// Answer 404 `ReplayCapturesExhausted`: for tests that must make exactly the recorded calls.
    public static let notFound = CaptureExhaustion(.notFound)

    /// Parses `repeat-last`, `cycle` or `not-found`.
    public init?(name: String) {
        switch name {
        case "repeat-last": self = .repeatLast
        case "cycle": self = .cycle
        case "not-found": self = .notFound
        default: return nil
        }
    }

    public var description: String {
        switch value {
        case .repeatLast: "repeat-last"
        case .cycle: "cycle"
        case .notFound: "not-found"
        }
    }
}

/// Answers requests from a set of captures: finds the captures whose request matches (see
/// ``CaptureMatching``) and serves them in file-name order, one per request.
///
/// Used in-process by ``ReplayingTransport`` and over HTTP by the replay server.
public actor CaptureReplayer {
    /// The result of looking a request up.
    public enum Outcome: Sendable {
        /// `position` is 1-based among the `count` captures of this request.
        case matched(Capture, position: Int, count: Int)
        case unmatched(CaptureMismatch)
    }

    struct Group {
        var captures: [Capture]
        var served = 0
    }

    public let matching: CaptureMatching
    public let exhaustion: CaptureExhaustion
    private var groups: [CaptureRequestKey: Group] = [:]

    /// Captures are grouped by request key; within a group they are served in the order given
    /// (``CaptureFolder/load(_:)`` sorts by file name).
    public init(captures: [Capture], matching: CaptureMatching = CaptureMatching(), exhaustion: CaptureExhaustion = .repeatLast) {
        self.matching = matching
        self.exhaustion = exhaustion
        for capture in captures {
            groups[matching.key(for: capture.request), default: Group(captures: [])].captures.append(capture)
        }
    }

    /// Looks the request up and, if `consume` is true, moves that request's position forward
    /// (a faulted answer the client will retry passes false).
    public func answer(_ request: CapturedRequest, consume: Bool = true) -> Outcome {
        let key = matching.key(for: request)
        guard var group = groups[key], !group.captures.isEmpty else {
            return .unmatched(CaptureMismatch(request: key, reason: .noCapture, candidates: candidates(for: key)))
        }
        let count = group.captures.count
        var index = group.served
        if index >= count {
            if exhaustion == .cycle {
                index %= count
            } else if exhaustion == .repeatLast {
                index = count - 1
            } else {
                let candidate = CaptureMismatch.Candidate(files: group.captures.map(\.name), key: key, differences: [])
                return .unmatched(
                    CaptureMismatch(request: key, reason: .exhausted(served: group.served), candidates: [candidate]))
            }
        }
        if consume {
            group.served += 1
            groups[key] = group
        }
        return .matched(group.captures[index], position: index + 1, count: count)
    }

    /// Up to three captured requests closest to `key`: same operation first, then same path, then
    /// the most parameters in common.
    func candidates(for key: CaptureRequestKey) -> [CaptureMismatch.Candidate] {
        let requested = Set(key.parameters)
        let scored = groups.map { candidateKey, group -> (score: Double, candidate: CaptureMismatch.Candidate) in
            var score = 0.0
            if candidateKey.operation == key.operation, key.operation != nil { score += 4 }
            if candidateKey.path == key.path { score += 2 }
            if candidateKey.method == key.method { score += 1 }
            let captured = Set(candidateKey.parameters)
            let union = requested.union(captured)
            if !union.isEmpty { score += 3 * Double(requested.intersection(captured).count) / Double(union.count) }
            let differences =
                requested.subtracting(captured).sorted().prefix(5).map { "request has \(CaptureMismatch.shorten($0))" }
                + captured.subtracting(requested).sorted().prefix(5).map { "capture has \(CaptureMismatch.shorten($0))" }
            return (score, .init(files: group.captures.map(\.name), key: candidateKey, differences: differences))
        }
        return
            scored
            .filter { $0.score >= 1 }
            .sorted {
                $0.score != $1.score ? $0.score > $1.score : ($0.candidate.files.first ?? "") < ($1.candidate.files.first ?? "")
            }
            .prefix(3)
            .map(\.candidate)
    }
}

/// Why a request got no capture, with the closest captured requests: the replayer's 404.
public struct CaptureMismatch: Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case noCapture
        /// All the captures of this request were served and exhaustion is `.notFound`.
        case exhausted(served: Int)
    }

    public struct Candidate: Sendable, Hashable {
        /// The capture files holding this request, in serving order.
        public var files: [String]
        public var key: CaptureRequestKey
        /// `request has X=1` / `capture has X=2`: the parameters that differ (at most five each way).
        public var differences: [String]
    }

    public var request: CaptureRequestKey
    public var reason: Reason
    public var candidates: [Candidate]

    public var code: String {
        reason == .noCapture ? "ReplayNoMatchingCapture" : "ReplayCapturesExhausted"
    }

    public var description: String {
        var text: String
        switch reason {
        case .noCapture:
            text = "No capture matches \(request.method) \(request.path) operation \(request.operation ?? "-")"
        case .exhausted(let served):
            text =
                "All captures of \(request.method) \(request.path) operation \(request.operation ?? "-") were served (\(served) requests)"
        }
        if candidates.isEmpty {
            text += "; no capture has this method, path or operation."
        } else {
            text += ". Closest: "
            text += candidates.map { candidate in
                let files = candidate.files.joined(separator: ", ")
                let differences = candidate.differences.isEmpty ? "" : " (\(candidate.differences.joined(separator: "; ")))"
                return "\(candidate.key.method) \(candidate.key.path) \(candidate.key.operationName) in [\(files)]\(differences)"
            }.joined(separator: " | ")
        }
        return text
    }

    /// A 404 in the request's protocol shape, naming the request and the candidates.
    public func errorResponse(for request: CapturedRequest) -> AWSHTTPResponse {
        let details: [JSONDocument.Member] = [
            .init("method", .string(self.request.method)),
            .init("path", .string(self.request.path)),
            .init("operation", self.request.operation.map(JSONDocument.string) ?? .null),
            .init("parameters", .array(self.request.parameters.map(JSONDocument.string))),
            .init(
                "candidates",
                .array(
                    candidates.map { candidate in
                        .object([
                            .init("files", .array(candidate.files.map(JSONDocument.string))),
                            .init("method", .string(candidate.key.method)),
                            .init("path", .string(candidate.key.path)),
                            .init("operation", candidate.key.operation.map(JSONDocument.string) ?? .null),
                            .init("differences", .array(candidate.differences.map(JSONDocument.string))),
                        ])
                    }
                )
            ),
        ]
        let error = CaptureErrorResponse(
            status: 404,
            code: code,
            message: description,
            extra: [.init("replay", .object(details))]
        )
        return error.response(for: CaptureWireProtocol(request: request), request: request)
    }

    static func shorten(_ text: String) -> String {
        text.count <= 120 ? text : String(text.prefix(117)) + "..."
    }
}
