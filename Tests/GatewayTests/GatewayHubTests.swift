import Bus
import Logging
import NIOCore
import Payloads
import Testing

@testable import Gateway

/// The hub's owner over an in-process bus, with pulled connections: no sockets. Its waits end
/// when the state machine hands their continuations back, not at a polling interval.
struct GatewayHubTests {
    func makeHub(
        _ bus: InProcessBus, configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) -> GatewayHub<InProcessSubscriber> {
        var configuration = GatewayConfiguration(auth: .init(mode: .anonymous))
        configure(&configuration)
        var logger = Logger(label: "gateway-hub-test")
        logger.logLevel = .critical
        return GatewayHub(bus: bus.makeSubscriber(), configuration: configuration, metrics: GatewayMetrics(), logger: logger)
    }

    func makeConnection(_ hub: GatewayHub<InProcessSubscriber>) -> ClientOutbox {
        ClientOutbox(format: .webSocket, delivery: .pull, limits: hub.connectionLimits, metrics: hub.metrics)
    }

    /// Runs `body` while the hub runs.
    func whileRunning(_ hub: GatewayHub<InProcessSubscriber>, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await hub.run() }
            try await body()
            group.cancelAll()
        }
    }

    func pulledIDs(_ connection: ClientOutbox, count: Int) async -> [String] {
        var ids: [String] = []
        while ids.count < count, case .buffers(let buffers) = await connection.pull() {
            for buffer in buffers {
                let text = String(buffer: buffer)
                guard let range = text.range(of: #""id":""#), let end = text[range.upperBound...].firstIndex(of: "\"")
                else { continue }
                ids.append(String(text[range.upperBound..<end]))
            }
        }
        return ids
    }

    @Test func aSubscriberWaitsForTheBusSubscriptionThenGetsLiveMessagesInOrder() async throws {
        let bus = InProcessBus()
        _ = try await bus.acquireLease(token: RunningGateway.token, ttl: .seconds(3600))
        let publisher = RunningGateway(port: 0, bus: bus, metrics: GatewayMetrics())
        let hub = makeHub(bus)
        try await whileRunning(hub) {
            let connection = makeConnection(hub)
            #expect(hub.admit(connection))
            // Returns once the bus subscription is made (a wall-clock bound here would only measure
            // how loaded the machine is: the unit layer runs in parallel).
            var frames = ClientOpsFrames()
            #expect(await hub.subscribe(connection, to: [.init(stream: .metrics, since: nil)], frames: &frames) == [])
            #expect(hub.busSubscribedStreams() == [.metrics])
            let ids = try await publisher.publish(3)
            #expect(await pulledIDs(connection, count: 3) == ids.map(\.description))
            hub.remove(connection)
            #expect(hub.subscriptionCounts()[.metrics] == 0)
        }
    }

    @Test func waitingForASubscriptionThatNeverComesTimesOut() async throws {
        let hub = makeHub(InProcessBus()) { $0.limits.subscribeTimeout = .milliseconds(50) }
        // Not running: nothing subscribes in the bus.
        await #expect(throws: ClientProtocolError.unavailable(.metrics)) {
            try await hub.waitUntilSubscribed(.metrics)
        }
    }

    @Test func theDrainEndsWhenTheLastConnectionGoes() async throws {
        let hub = makeHub(InProcessBus())
        let connections = [makeConnection(hub), makeConnection(hub)]
        for connection in connections { #expect(hub.admit(connection)) }
        hub.beginDrain()
        #expect(!hub.hasCapacity)
        let clock = ContinuousClock()
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await hub.waitUntilDrained(timeout: .seconds(30)) }
            for connection in connections { hub.remove(connection) }
            await group.waitForAll()
        }
        // Well before the 30 s timeout: the last removal resumed the wait.
        #expect(clock.now - start < .seconds(20))
        #expect(hub.connectionCount == 0)
    }

    @Test func theDrainGivesUpAtItsTimeout() async throws {
        let hub = makeHub(InProcessBus())
        #expect(hub.admit(makeConnection(hub)))
        hub.beginDrain()
        await hub.waitUntilDrained(timeout: .milliseconds(50))
        #expect(hub.connectionCount == 1)
    }
}
