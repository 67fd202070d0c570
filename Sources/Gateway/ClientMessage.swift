import Bus
import NIOCore
import Payloads

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a WebSocket client may send: `{"op":"subscribe","stream":"aws-metrics","since":"<id>",
/// "accounts":["123456789012"],"regions":["eu-west-1"]}` (`accounts`, `regions` and `since` are
/// optional; a list or a comma-separated string, `"*"` for all), `{"op":"unsubscribe","stream":...}`,
/// `{"op":"ping"}`.
enum ClientMessage: Equatable, Sendable {
    /// `targets`: the accounts and regions the subscribe asks for (``TargetFilter/everything`` when
    /// it names none), not yet checked against the token.
    case subscribe(StreamName, since: BusMessageID?, targets: TargetFilter = .everything)
    case unsubscribe(StreamName)
    case ping

    private struct Wire: Decodable {
        var op: String
        var stream: String?
        var since: String?
        var accounts: ListClaim?
        var regions: ListClaim?
    }

    /// Parses one inbound text message, or says why it cannot.
    static func parse(_ bytes: ByteBuffer) -> Result<ClientMessage, ClientProtocolError> {
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(bytes.readableBytesView))
        } catch {
            return .failure(.badJSON)
        }
        switch wire.op {
        case "ping":
            return .success(.ping)
        case "subscribe", "unsubscribe":
            guard let raw = wire.stream else { return .failure(.missingStream(op: wire.op)) }
            guard let stream = StreamName(rawValue: raw) else { return .failure(.unknownStream(raw)) }
            if wire.op == "unsubscribe" { return .success(.unsubscribe(stream)) }
            var since: BusMessageID?
            if let text = wire.since {
                guard let id = BusMessageID(text) else { return .failure(.badSince(text)) }
                since = id
            }
            switch TargetFilter.request(accounts: wire.accounts?.values, regions: wire.regions?.values) {
            case .success(let targets): return .success(.subscribe(stream, since: since, targets: targets))
            case .failure(let error): return .failure(error)
            }
        default:
            return .failure(.unknownOp(wire.op))
        }
    }
}

/// Why a client message was refused: the `code` and `message` of the `error` control message.
struct ClientProtocolError: Error, Equatable, Sendable {
    let code: String
    let message: String
    var stream: StreamName?

    static let badJSON = Self(code: "bad-json", message: "messages must be JSON objects with an \"op\"")
    static let binaryFrame = Self(code: "bad-frame", message: "binary frames are not accepted; send JSON text")
    static func unknownOp(_ op: String) -> Self {
        Self(code: "unknown-op", message: "unknown op '\(op.prefix(64))'; use subscribe, unsubscribe or ping")
    }
    static func missingStream(op: String) -> Self { Self(code: "bad-request", message: "\(op) needs a \"stream\"") }
    static func unknownStream(_ name: String) -> Self {
        Self(
            code: "unknown-stream",
            message:
                "unknown stream '\(name.prefix(64))'; streams are \(StreamName.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    static func badSince(_ text: String) -> Self {
        Self(code: "bad-request", message: "since '\(text.prefix(64))' is not a message id like 1732665600000-0")
    }
    static func badLastEventID(_ text: String) -> Self {
        Self(
            code: "bad-request",
            message:
                "Last-Event-ID '\(text.prefix(64))' is neither an event id like aws-metrics:1732665600000-0,aws-logs:1732665600123-4 nor a message id like 1732665600000-0"
        )
    }
    static func forbidden(_ stream: StreamName) -> Self {
        Self(code: "forbidden", message: "the token does not allow reading \(stream.rawValue)", stream: stream)
    }
    /// A subscribe's filter names an account the token's `accounts` claim does not list.
    static func forbiddenAccount(_ account: String, stream: StreamName?) -> Self {
        Self(code: "forbidden", message: "the token does not allow reading account \(account.prefix(64))", stream: stream)
    }
    /// A subscribe's filter names a region the token's `regions` claim does not list.
    static func forbiddenRegion(_ region: String, stream: StreamName?) -> Self {
        Self(code: "forbidden", message: "the token does not allow reading region \(region.prefix(64))", stream: stream)
    }
    static func badFilter(_ error: TargetFilterError) -> Self {
        Self(code: "bad-request", message: error.message)
    }
    static func tooManySubscriptions(_ limit: Int) -> Self {
        Self(code: "too-many-subscriptions", message: "at most \(limit) subscriptions per connection")
    }
    static func alreadySubscribed(_ stream: StreamName) -> Self {
        Self(code: "already-subscribed", message: "already subscribed to \(stream.rawValue)", stream: stream)
    }
    static func notSubscribed(_ stream: StreamName) -> Self {
        Self(code: "not-subscribed", message: "not subscribed to \(stream.rawValue)", stream: stream)
    }
    static let rateLimited = Self(code: "rate-limited", message: "too many messages; slow down")
    static func resyncRequired(_ stream: StreamName) -> Self {
        Self(
            code: "resync-required",
            message: "the resume point is older than the history kept; start again from the snapshot",
            stream: stream)
    }
    static func unavailable(_ stream: StreamName) -> Self {
        Self(code: "unavailable", message: "the bus did not confirm the subscription; try again", stream: stream)
    }
}
