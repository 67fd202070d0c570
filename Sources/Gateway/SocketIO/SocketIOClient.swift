import Bus
import Logging
import NIOCore
import Payloads
import TextFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The Socket.IO side of one Engine.IO session: the `/aws-realtime` namespace with the old
/// NestJS gateway's events. Owned by its session's inbound task; packets are handled one at a time.
///
/// - CONNECT to `/aws-realtime` checks the token (`auth.token`, else the handshake's
///   `Authorization` header or `token` query parameter), moves the session from the
///   pending-handshake budget to a counted connection, answers with the socket id and emits
///   `connection-established`; a refused token (or the connection limit) gets a CONNECT_ERROR with
///   the reason. Any other namespace, `/` included, gets the reference server's "Invalid namespace".
/// - As the reference server (socketio/socket.io, `packages/socket.io/lib/client.ts`,
///   `ondecoded`): a packet other than CONNECT for a namespace the client has not joined, a
///   CONNECT for one it has joined, and any CONNECT_ERROR close the session.
/// - `subscribe-<stream>` (`{interval?, since?}`) and `unsubscribe-<stream>` events, answered with
///   `subscription-confirmed` / `unsubscription-confirmed` and, when the client asked for one, an
///   ack carrying the same payload; errors as an `error` event (and in the ack).
struct SocketIOClient<Source: SubscriberBus> {
    /// What the session must do after a packet.
    enum Outcome: Equatable {
        case proceed
        /// The packet breaks the protocol: close the session, saying why.
        case close(String)
    }

    let hub: GatewayHub<Source>
    let connection: ClientOutbox
    let authenticator: GatewayAuthenticator
    /// The token of the handshake request, used when the CONNECT carries none.
    let handshakeToken: String?
    let now: @Sendable () -> Date
    /// Arms the token-expiry timer with the time left.
    let armExpiry: @Sendable (Duration) -> Void
    let logger: Logger

    /// The session of the CONNECT's grant; nil until the CONNECT succeeds and after the client
    /// leaves.
    private var session: ClientSession<Source>?
    /// Binary attachments still to be discarded after a refused binary packet.
    private(set) var attachmentsToDiscard = 0

    init(
        hub: GatewayHub<Source>, connection: ClientOutbox, authenticator: GatewayAuthenticator, handshakeToken: String?,
        now: @escaping @Sendable () -> Date, armExpiry: @escaping @Sendable (Duration) -> Void, logger: Logger
    ) {
        self.hub = hub
        self.connection = connection
        self.authenticator = authenticator
        self.handshakeToken = handshakeToken
        self.now = now
        self.armExpiry = armExpiry
        self.logger = logger
    }

    var isConnected: Bool { session != nil }
    private var metrics: GatewayMetrics { hub.metrics }

    /// Handles one packet of an Engine.IO message.
    mutating func handle(_ packet: SocketIOPacket) async -> Outcome {
        guard attachmentsToDiscard == 0 else { return .close("a text packet arrived where a binary attachment was announced") }
        // The client has joined at most one namespace, ours.
        let isJoined = isConnected && packet.namespace == SocketIOFrames.namespace
        switch packet.kind {
        case .connect:
            guard !isJoined else { return .close("CONNECT to namespace '\(packet.namespace.prefix(64))' already joined") }
            await connect(packet)
        case .connectError:
            return .close("CONNECT_ERROR is sent by servers only")
        case _ where !isJoined:
            return .close("a packet for namespace '\(packet.namespace.prefix(64))', which the client has not joined")
        case .disconnect:
            leave()
        case .event:
            await event(packet)
        case .ack:
            // The gateway never asks clients for acks; a stray one is harmless.
            break
        case .binaryEvent, .binaryAck:
            attachmentsToDiscard = packet.attachments
            let error = ClientProtocolError(code: "bad-frame", message: "binary packets are not supported; send JSON")
            reply(error, ackID: packet.ackID)
        }
        return .proceed
    }

    /// A binary Engine.IO message: an attachment of a refused binary packet, else a protocol error.
    mutating func handleBinary() -> Outcome {
        guard attachmentsToDiscard > 0 else { return .close("binary data outside a binary packet") }
        attachmentsToDiscard -= 1
        return .proceed
    }

    /// Unsubscribes everything (the client left the namespace or the session ended).
    mutating func leave() {
        session?.leave()
        session = nil
    }

    // MARK: Packets

    private mutating func connect(_ packet: SocketIOPacket) async {
        guard packet.namespace == SocketIOFrames.namespace else {
            GatewayMetrics.add(metrics.clientErrors)
            connection.send(SocketIOFrames.connectError(namespace: packet.namespace, message: "Invalid namespace"))
            return
        }
        let token = packet.payload?["token"]?.stringValue ?? handshakeToken
        switch await authenticator.authenticate(token: token) {
        case .failure(let failure):
            GatewayMetrics.add(metrics.authFailures)
            logger.info("Socket.IO connect refused", metadata: ["gateway.auth.failure": "\(failure.reason)"])
            // Socket.IO clients pass the token in the CONNECT's auth payload: say so.
            let reason = failure == .missing ? AuthenticationFailure.missingSocketIO.reason : failure.reason
            connection.send(SocketIOFrames.connectError(namespace: packet.namespace, message: reason))
        case .success(let grant):
            // Authenticated: the session leaves the pending-handshake budget for a counted slot.
            if hub.promote(connection) != nil {
                GatewayMetrics.add(metrics.connectionLimitRefusals)
                connection.send(
                    SocketIOFrames.connectError(
                        namespace: packet.namespace, message: "connection limit reached; try again later"))
                return
            }
            let socketID = SessionID.make()
            self.session = ClientSession(hub: hub, connection: connection, grant: grant)
            if let lifetime = authenticator.remaining(grant) { armExpiry(lifetime) }
            connection.send(SocketIOFrames.connected(namespace: packet.namespace, socketID: socketID))
            let streams = StreamName.allCases.filter { grant.allows($0) }
            connection.send(SocketIOFrames.connectionEstablished(clientID: socketID, streams: streams, now: now()))
            logger.debug("Socket.IO client connected", metadata: ["socketio.socket.id": "\(socketID)"])
        }
    }

    private mutating func event(_ packet: SocketIOPacket) async {
        guard case .array(let items) = packet.payload, let name = items.first?.stringValue else {
            reply(ClientProtocolError(code: "bad-request", message: "event names are strings"), ackID: packet.ackID)
            return
        }
        let argument = items.count > 1 ? items[1] : nil
        if let raw = name.strippingPrefix("subscribe-") {
            guard let stream = StreamName(rawValue: raw) else { return reply(.unknownStream(raw), ackID: packet.ackID) }
            await subscribe(stream, argument: argument, ackID: packet.ackID)
        } else if let raw = name.strippingPrefix("unsubscribe-") {
            guard let stream = StreamName(rawValue: raw) else { return reply(.unknownStream(raw), ackID: packet.ackID) }
            unsubscribe(stream, ackID: packet.ackID)
        } else {
            let known = StreamName.allCases.map { "subscribe-\($0.rawValue)" }.joined(separator: ", ")
            reply(
                ClientProtocolError(
                    code: "unknown-event", message: "unknown event '\(name.prefix(64))'; events are \(known) and unsubscribe-…"),
                ackID: packet.ackID)
        }
    }

    private mutating func subscribe(_ stream: StreamName, argument: JSONDocument?, ackID: Int?) async {
        let interval = argument?["interval"]?.doubleValue.flatMap { $0.isFinite && $0 >= 0 && $0 < 1e12 ? Int($0) : nil }
        var frames = SocketIOSessionFrames(ackID: ackID, interval: interval, now: now())
        var since: BusMessageID?
        if let text = argument?["since"]?.stringValue {
            guard let id = BusMessageID(text) else { return reply(.badSince(text), ackID: ackID) }
            since = id
        }
        // `{accounts: [...], regions: [...]}` (or comma strings): within the token's claims. A
        // payload without them (every NestJS front end's) sees everything the token allows.
        switch Self.requestedTargets(in: argument) {
        case .failure(let error):
            reply(error, ackID: ackID)
        case .success(let requested):
            await session?.subscribe(stream, since: since, requesting: requested, frames: &frames)
        }
    }

    /// The `accounts` and `regions` of a subscribe payload: lists of strings or comma-separated
    /// strings; absent or null: not given.
    static func requestedTargets(in argument: JSONDocument?) -> Result<TargetFilter, ClientProtocolError> {
        func list(_ key: String) -> Result<[String]?, ClientProtocolError> {
            switch argument?[key] {
            case nil, .null?:
                return .success(nil)
            case .string(let text)?:
                return .success(TargetFilter.split(text) ?? [])
            case .array(let items)? where items.allSatisfy { $0.stringValue != nil }:
                return .success(items.compactMap(\.stringValue))
            default:
                return .failure(ClientProtocolError(code: "bad-request", message: "\(key) is a list of strings"))
            }
        }
        return list("accounts").flatMap { accounts in
            list("regions").flatMap { regions in TargetFilter.request(accounts: accounts, regions: regions) }
        }
    }

    private mutating func unsubscribe(_ stream: StreamName, ackID: Int?) {
        var frames = SocketIOSessionFrames(ackID: ackID, now: now())
        session?.unsubscribe(stream, frames: &frames)
    }

    /// An `error` event, and the same payload in the ack when the client asked for one.
    private func reply(_ error: ClientProtocolError, ackID: Int?) {
        var frames = SocketIOSessionFrames(ackID: ackID, now: now())
        frames.refuse(error, on: connection, metrics: metrics)
    }
}

extension String {
    fileprivate func strippingPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
