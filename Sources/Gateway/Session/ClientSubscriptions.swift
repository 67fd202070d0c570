import Payloads

/// The streams a client is subscribed to, and the checks every protocol makes before a subscribe
/// reaches the hub, written once for `/ws`, Socket.IO and SSE: the token allows the stream, the
/// accounts and regions asked for lie within the token's, the stream is not already subscribed,
/// and the per-connection limit (`GATEWAY_MAX_SUBSCRIPTIONS`) is not reached. A plain value owned
/// by the connection's protocol handler.
struct ClientSubscriptions: Sendable, Equatable {
    let grant: GatewayGrant
    let limit: Int
    private(set) var streams: Set<StreamName> = []

    init(grant: GatewayGrant, limit: Int) {
        self.grant = grant
        self.limit = limit
    }

    /// The accounts and regions a subscribe to `stream` that asks for `requested` sees, or why it
    /// is refused, in this order: the stream is forbidden, the filter is bad or reaches beyond the
    /// token, the stream is already subscribed, the limit is reached.
    func admit(_ stream: StreamName, requesting requested: TargetFilter = .everything) -> Result<
        TargetFilter, ClientProtocolError
    > {
        guard grant.allows(stream) else { return .failure(.forbidden(stream)) }
        let targets: TargetFilter
        switch grant.targets.narrowed(by: requested, stream: stream) {
        case .success(let value): targets = value
        case .failure(let error): return .failure(error)
        }
        guard !streams.contains(stream) else { return .failure(.alreadySubscribed(stream)) }
        guard streams.count < limit else { return .failure(.tooManySubscriptions(limit)) }
        return .success(targets)
    }

    /// The hub subscribed the client to `stream`.
    mutating func subscribed(_ stream: StreamName) {
        streams.insert(stream)
    }

    /// The client left `stream`; false when it was not subscribed.
    @discardableResult
    mutating func unsubscribed(_ stream: StreamName) -> Bool {
        streams.remove(stream) != nil
    }

    /// Forgets every stream (the client left) and returns them, for the hub to unsubscribe.
    mutating func removeAll() -> Set<StreamName> {
        defer { streams = [] }
        return streams
    }
}
