import Bus
import Foundation
import Logging
import NIOCore
import Payloads
import Synchronization
import Testing

@testable import Gateway

/// The client session every protocol drives, over an in-process bus and a pulled connection: no
/// sockets. What the client is sent is read from the connection's queue.
@Suite struct ClientSessionTests {
    let hubs = GatewayHubTests()

    /// Every frame queued to `connection` so far (it must have some).
    func sent(_ connection: ClientOutbox) async -> [String] {
        guard connection.hasPending, case .buffers(let buffers) = await connection.pull() else { return [] }
        return buffers.map { String(buffer: $0) }
    }

    func makeSession(
        _ bus: InProcessBus, grant: GatewayGrant = .anonymous, format: ClientOutbox.Format = .webSocket
    ) -> ClientSession<InProcessSubscriber> {
        let hub = hubs.makeHub(bus) { $0.limits.maxSubscriptionsPerConnection = 2 }
        let connection = ClientOutbox(format: format, delivery: .pull, limits: hub.connectionLimits, metrics: hub.metrics)
        #expect(hub.admit(connection))
        return ClientSession(hub: hub, connection: connection, grant: grant)
    }

    @Test func aSubscribeIsConfirmedWithItsSnapshotThenLiveAndAnUnsubscribeConfirmed() async throws {
        let bus = InProcessBus()
        _ = try await bus.acquireLease(token: RunningGateway.token, ttl: .seconds(3600))
        let publisher = RunningGateway(port: 0, bus: bus, metrics: GatewayMetrics())
        let stored = try await publisher.publish(2)
        var session = makeSession(bus)
        let hub = session.hub
        try await hubs.whileRunning(hub) {
            var frames = ClientOpsFrames()
            #expect(await session.subscribe(.metrics, since: nil, frames: &frames))
            #expect(session.subscriptions.streams == [.metrics])
            let confirmation = await sent(session.connection)
            #expect(confirmation.count == 1)
            #expect(confirmation.first?.contains(#""op":"subscribed""#) == true)
            // The snapshot is the newest data of the target: the second envelope.
            #expect(confirmation.first?.contains(#""seq":1"#) == true)

            let live = try await publisher.publish(1)
            #expect(await hubs.pulledIDs(session.connection, count: 1) == live.map(\.description))
            #expect(live[0] > stored[1])

            session.unsubscribe(.metrics, frames: &frames)
            #expect(await sent(session.connection) == [#"{"op":"unsubscribed","stream":"aws-metrics"}"#])
            #expect(session.subscriptions.streams.isEmpty)
            #expect(hub.subscriptionCounts()[.metrics] == 0)
        }
    }

    @Test func refusalsAreToldInTheProtocolsFramesAndCounted() async throws {
        let grant = GatewayGrant(streams: [.metrics], expiresAt: nil)
        var session = makeSession(InProcessBus(), grant: grant)
        let hub = session.hub
        var frames = ClientOpsFrames()
        // Forbidden, and not subscribed to: nothing reaches the hub, so it need not run.
        #expect(await session.subscribe(.health, since: nil, frames: &frames) == false)
        session.unsubscribe(.metrics, frames: &frames)
        let told = await sent(session.connection)
        #expect(told.count == 2)
        #expect(told[0].contains(#""code":"forbidden""#) && told[0].contains(#""stream":"aws-health""#))
        #expect(told[1].contains(#""code":"not-subscribed""#))
        #expect(hub.metrics.clientErrors.load(ordering: .relaxed) == 2)
        #expect(session.subscriptions.streams.isEmpty)
        #expect(hub.subscriptionCounts()[.health, default: 0] == 0)
    }

    @Test func aStreamTheHubCannotStartIsToldAndNotCountedAsSubscribed() async throws {
        let bus = InProcessBus()
        // Not running: the bus never confirms the subscription.
        let hub = hubs.makeHub(bus) { $0.limits.subscribeTimeout = .milliseconds(20) }
        let connection = ClientOutbox(
            format: .webSocket, delivery: .pull, limits: hub.connectionLimits, metrics: hub.metrics)
        #expect(hub.admit(connection))
        var session = ClientSession(hub: hub, connection: connection, grant: .anonymous)
        var frames = ClientOpsFrames()
        #expect(await session.subscribe(.metrics, since: nil, frames: &frames) == false)
        #expect(session.subscriptions.streams.isEmpty)
        let told = await sent(connection)
        #expect(told.count == 1 && told[0].contains(#""code":"unavailable""#))
        #expect(hub.metrics.clientErrors.load(ordering: .relaxed) == 1)
        #expect(hub.subscriptionCounts()[.metrics, default: 0] == 0)
    }

    @Test func leavingUnsubscribesEveryStream() async throws {
        let bus = InProcessBus()
        var session = makeSession(bus)
        let hub = session.hub
        try await hubs.whileRunning(hub) {
            var frames = ClientOpsFrames()
            #expect(await session.subscribe(.metrics, since: nil, frames: &frames))
            #expect(await session.subscribe(.logs, since: nil, frames: &frames))
            // The per-connection limit (2 here) is the session's too.
            #expect(await session.subscribe(.costs, since: nil, frames: &frames) == false)
            #expect(hub.subscriptionCounts()[.metrics] == 1)
            session.leave()
            #expect(session.subscriptions.streams.isEmpty)
            #expect(hub.subscriptionCounts()[.metrics] == 0)
            #expect(hub.subscriptionCounts()[.logs] == 0)
        }
    }

    /// Several streams at once (SSE) are checked as one request: a repeat is already subscribed,
    /// and the per-connection limit (2 here) counts the streams admitted before it.
    @Test func aSubscribeOfSeveralStreamsHoldsTheLimitAndRefusesRepeats() async throws {
        var session = makeSession(InProcessBus())
        let hub = session.hub
        try await hubs.whileRunning(hub) {
            var frames = ServerSentEventsFrames(streams: [.metrics, .logs, .costs], resumePoint: nil)
            let starts: [GatewayHub<InProcessSubscriber>.StreamStart] = [
                .init(stream: .metrics, since: nil), .init(stream: .metrics, since: nil), .init(stream: .logs, since: nil),
                .init(stream: .costs, since: nil),
            ]
            #expect(await session.subscribe(starts, frames: &frames) == [.metrics, .logs])
            #expect(session.subscriptions.streams == [.metrics, .logs])
            #expect(hub.subscriptionCounts()[.metrics] == 1)
            #expect(hub.subscriptionCounts()[.costs, default: 0] == 0)
            let told = await sent(session.connection).filter { $0.hasPrefix("event: error") }
            #expect(told.count == 2)
            #expect(told.first?.contains("already-subscribed") == true)
            #expect(told.last?.contains("too-many-subscriptions") == true)
        }
    }

    /// Socket.IO answers an event with an ack when asked; a `resync-required` notice during the
    /// subscribe is an `error` event alone, so the ack that follows is the confirmation's, once.
    @Test func socketIOAcksTheConfirmationOnceEvenAfterAResyncNotice() async throws {
        let bus = InProcessBus(configuration: .init(historyLength: 2))
        _ = try await bus.acquireLease(token: RunningGateway.token, ttl: .seconds(3600))
        let publisher = RunningGateway(port: 0, bus: bus, metrics: GatewayMetrics())
        let ids = try await publisher.publish(5)
        var session = makeSession(bus, format: .socketIO)
        let hub = session.hub
        try await hubs.whileRunning(hub) {
            var frames = SocketIOSessionFrames(ackID: 7, interval: 5000, now: Date(timeIntervalSince1970: 0))
            // The first id was trimmed from the history of two.
            #expect(await session.subscribe(.metrics, since: ids[0], frames: &frames))
            let told = await sent(session.connection)
            #expect(told.first?.hasPrefix(#"42/aws-realtime,["error",{"message":"#) == true)
            #expect(told.first?.contains("resync-required") == true)
            #expect(told.filter { $0.hasPrefix("43/aws-realtime,7[") }.count == 1)
            #expect(
                told.contains(
                    #"43/aws-realtime,7[{"stream":"aws-metrics","interval":5000,"timestamp":"1970-01-01T00:00:00.000Z"}]"#))
            #expect(told.last?.hasPrefix(#"42/aws-realtime,["aws-metrics-update","#) == true)
        }
    }

    @Test func socketIORefusalsCarryTheErrorInTheAck() {
        let frames = SocketIOSessionFrames(ackID: 3, now: Date(timeIntervalSince1970: 0))
        let refused = frames.refused(.notSubscribed(.logs)).map { String(buffer: $0) }
        let payload = #"{"message":"not subscribed to aws-logs","code":"not-subscribed","stream":"aws-logs"}"#
        #expect(refused == [#"42/aws-realtime,["error","# + payload + "]", "43/aws-realtime,3[{\"error\":" + payload + "}]"])
        #expect(SocketIOSessionFrames(now: Date()).refused(.notSubscribed(.logs)).count == 1)
    }

    /// An SSE stream that fails to start leaves the positions the other streams' event ids carry.
    @Test func serverSentEventsIdsDropAStreamThatFailed() {
        var frames = ServerSentEventsFrames(streams: [.metrics, .logs], resumePoint: nil)
        _ = frames.subscribed(.metrics, snapshot: nil)
        _ = frames.subscribed(.logs, snapshot: nil)
        let id = BusMessageID(milliseconds: 1_732_665_600_000, sequence: 0)
        let message = BusMessage(stream: .metrics, id: id, envelope: ByteBuffer(string: #"{"type":"metrics"}"#))
        #expect(String(buffer: frames.message(message)).contains("id: aws-metrics:1732665600000-0,aws-logs:0-0\n"))
        _ = frames.refused(.unavailable(.logs))
        #expect(String(buffer: frames.message(message)).contains("id: aws-metrics:1732665600000-0\n"))
    }

    /// A refused binary packet is one client error, not two (it was counted before the refusal
    /// counted it again).
    @Test func aSocketIOBinaryPacketIsRefusedAndCountedOnce() async throws {
        let session = makeSession(InProcessBus(), format: .socketIO)
        let hub = session.hub
        var client = SocketIOClient(
            hub: hub, connection: session.connection,
            authenticator: try await GatewayAuthenticator(auth: hub.configuration.auth, now: { Date() }), handshakeToken: nil,
            now: { Date() }, armExpiry: { _ in }, logger: hub.logger)
        #expect(await client.handle(try #require(SocketIOPacket.parse("0/aws-realtime,"))) == .proceed)
        #expect(client.isConnected)
        let binary = try #require(SocketIOPacket.parse(#"51-/aws-realtime,4["x",{"_placeholder":true,"num":0}]"#))
        #expect(await client.handle(binary) == .proceed)
        #expect(hub.metrics.clientErrors.load(ordering: .relaxed) == 1)
        let told = await sent(session.connection)
        #expect(
            told.last
                == #"43/aws-realtime,4[{"error":{"message":"binary packets are not supported; send JSON","code":"bad-frame"}}]"#)
        // Its attachment is discarded, not taken for a packet.
        #expect(client.handleBinary() == .proceed)
    }
}
