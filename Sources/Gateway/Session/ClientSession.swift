import Bus
import NIOCore
import Payloads

/// What an authenticated client does, the same over `/ws`, Socket.IO and SSE: subscribe (checked
/// against its token and limits, then started by the hub from its snapshot or resume point),
/// unsubscribe, be told why an op was refused, and leave its streams. Each protocol turns its wire
/// format into these operations and writes what they send with its ``ClientSessionFrames``.
///
/// A plain value, owned by one task or event loop at a time: `/ws`'s endpoint moves it into the
/// task that runs a subscribe and takes it back when it ends; a Socket.IO session's inbound task
/// holds it with its client; an SSE stream's task holds it for the stream's life.
struct ClientSession<Source: SubscriberBus>: Sendable {
    let hub: GatewayHub<Source>
    let connection: ClientOutbox
    private(set) var subscriptions: ClientSubscriptions

    init(hub: GatewayHub<Source>, connection: ClientOutbox, grant: GatewayGrant) {
        self.hub = hub
        self.connection = connection
        self.subscriptions = ClientSubscriptions(grant: grant, limit: hub.configuration.limits.maxSubscriptionsPerConnection)
    }

    var grant: GatewayGrant { subscriptions.grant }

    /// Subscribes to `stream` from its snapshot, or after `since`, seeing the accounts and regions
    /// `requested` asks for within the token's. The frames confirm it before any of its messages,
    /// or say why it was refused. True when subscribed.
    @discardableResult
    mutating func subscribe<Frames: ClientSessionFrames>(
        _ stream: StreamName, since: BusMessageID?, requesting requested: TargetFilter = .everything,
        frames: inout Frames
    ) async -> Bool {
        await subscribe([.init(stream: stream, since: since)], requesting: requested, frames: &frames) == [stream]
    }

    /// Subscribes to several streams that go live together (SSE): each is checked as a single
    /// subscribe is, and one refused (or failing in the hub) is told while the others go on.
    /// Returns the streams subscribed.
    @discardableResult
    mutating func subscribe<Frames: ClientSessionFrames>(
        _ starts: [GatewayHub<Source>.StreamStart], requesting requested: TargetFilter = .everything,
        frames: inout Frames
    ) async -> [StreamName] {
        var admitted: [GatewayHub<Source>.StreamStart] = []
        var targets = TargetFilter.everything
        // Each stream is checked with those admitted before it counted: a repeat is already
        // subscribed, and the limit holds for the whole request.
        var checked = subscriptions
        for start in starts {
            switch checked.admit(start.stream, requesting: requested) {
            case .failure(let error):
                refuse(error, frames: &frames)
            case .success(let value):
                // The filter depends on the token and the request alone: the same for every stream.
                targets = value
                admitted.append(start)
                checked.subscribed(start.stream)
            }
        }
        guard !admitted.isEmpty else { return [] }
        let failed = await hub.subscribe(connection, to: admitted, targets: targets, frames: &frames)
        let subscribed = admitted.map(\.stream).filter { !failed.contains($0) }
        for stream in subscribed { subscriptions.subscribed(stream) }
        return subscribed
    }

    /// Leaves `stream`; the frames confirm it, or say it was not subscribed.
    mutating func unsubscribe<Frames: ClientSessionFrames>(_ stream: StreamName, frames: inout Frames) {
        guard hub.unsubscribe(connection, from: stream) else { return refuse(.notSubscribed(stream), frames: &frames) }
        subscriptions.unsubscribed(stream)
        connection.send(contentsOf: frames.unsubscribed(stream))
    }

    /// Tells the client why an op was refused (counted in `gateway_client_errors_total`).
    func refuse<Frames: ClientSessionFrames>(_ error: ClientProtocolError, frames: inout Frames) {
        frames.refuse(error, on: connection, metrics: hub.metrics)
    }

    /// Leaves every stream (the client left, or its session ended).
    mutating func leave() {
        for stream in subscriptions.removeAll() { _ = hub.unsubscribe(connection, from: stream) }
    }
}
