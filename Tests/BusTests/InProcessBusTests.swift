import Bus
import Foundation
import NIOCore
import Payloads
import Synchronization
import Testing

@Suite struct InProcessBusTests {
    static func envelope(_ text: String) throws -> EncodedEnvelope {
        try EncodedEnvelope(
            Envelope(
                stream: .logs, type: "logs", epoch: 1, timestamp: Date(timeIntervalSince1970: 0), account: "1", region: "r",
                data: [text]))
    }

    @Test func leaseIsExclusiveAndEachNewLeadershipRaisesTheEpoch() async throws {
        let bus = InProcessBus()
        #expect(try await bus.acquireLease(token: "a", ttl: .seconds(10)) == 1)
        #expect(try await bus.acquireLease(token: "b", ttl: .seconds(10)) == nil)
        #expect(try await bus.renewLease(token: "a", ttl: .seconds(10)))
        #expect(try await !bus.renewLease(token: "b", ttl: .seconds(10)))
        try await bus.releaseLease(token: "a")
        #expect(try await bus.acquireLease(token: "b", ttl: .milliseconds(50)) == 2)
        try await Task.sleep(for: .milliseconds(80))
        #expect(try await !bus.renewLease(token: "b", ttl: .seconds(10)))
        #expect(try await bus.acquireLease(token: "a", ttl: .seconds(10)) == 3)
    }

    @Test func onlyTheLeaseHolderPublishes() async throws {
        let bus = InProcessBus()
        _ = try await bus.acquireLease(token: "leader", ttl: .seconds(10))
        #expect(try await bus.publish(Self.envelope("x"), to: .logs, cursor: ["t": "1"], token: "stale") == .fenced)
        #expect(try await bus.cursor(of: .logs) == [:])
        guard case .published = try await bus.publish(Self.envelope("x"), to: .logs, cursor: ["t": "1"], token: "leader") else {
            Issue.record("the holder's publish was refused")
            return
        }
        #expect(try await bus.cursor(of: .logs) == ["t": "1"])
    }

    @Test func idsAreOrderedAndStampedIntoTheEnvelope() async throws {
        let bus = InProcessBus(milliseconds: { 1000 })
        _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
        var ids: [BusMessageID] = []
        for index in 0..<3 {
            if case .published(let id) = try await bus.publish(Self.envelope("\(index)"), to: .logs, cursor: nil, token: "t") {
                ids.append(id)
            }
        }
        #expect(ids.map(\.description) == ["1000-0", "1000-1", "1000-2"])
        let subscriber = bus.makeSubscriber()
        let latest = try #require(try await subscriber.latest(of: .logs))
        #expect(String(buffer: latest.envelope).contains(#""id":"1000-2""#))
        #expect(try await subscriber.history(of: .logs, after: ids[0], limit: 10).map(\.id) == Array(ids[1...]))
        #expect(try await subscriber.history(of: .logs, after: nil, limit: 2).map(\.id) == Array(ids[..<2]))
        #expect(try await subscriber.oldestID(of: .logs) == ids[0])
    }

    @Test func historyIsBounded() async throws {
        let bus = InProcessBus(configuration: .init(historyLength: 5))
        _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
        for index in 0..<12 { _ = try await bus.publish(Self.envelope("\(index)"), to: .logs, cursor: nil, token: "t") }
        #expect(try await bus.makeSubscriber().history(of: .logs, after: nil, limit: 100).count == 5)
    }

    @Test func subscribersCountAsListenersAndReceiveInOrder() async throws {
        let bus = InProcessBus()
        _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
        let subscriber = bus.makeSubscriber()
        #expect(try await bus.listenerCounts(of: [.logs, .costs]) == [.logs: 0, .costs: 0])
        try await subscriber.subscribe(to: .logs)
        #expect(try await bus.listenerCounts(of: [.logs, .costs]) == [.logs: 1, .costs: 0])
        for index in 0..<100 { _ = try await bus.publish(Self.envelope("\(index)"), to: .logs, cursor: nil, token: "t") }
        _ = try await bus.publish(Self.envelope("not watched"), to: .costs, cursor: nil, token: "t")
        var received: [BusMessageID] = []
        for await event in subscriber.events {
            guard case .message(let message) = event else { continue }
            #expect(message.stream == .logs)
            received.append(message.id)
            if received.count == 100 { break }
        }
        #expect(received == received.sorted())
        try await subscriber.unsubscribe(from: .logs)
        #expect(try await bus.listenerCounts(of: [.logs]) == [.logs: 0])
        subscriber.close()
    }

    @Test func aSlowSubscriberGetsAGapInsteadOfUnboundedMemory() async throws {
        let bus = InProcessBus(configuration: .init(subscriberBufferSize: 10))
        _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
        let subscriber = bus.makeSubscriber()
        try await subscriber.subscribe(to: .logs)
        for index in 0..<25 { _ = try await bus.publish(Self.envelope("\(index)"), to: .logs, cursor: nil, token: "t") }
        var iterator = subscriber.events.makeAsyncIterator()
        #expect(await iterator.next() == .gap)
        var messages = 0
        while messages < 10, case .message = await iterator.next() { messages += 1 }
        #expect(messages == 10)
        #expect(subscriber.droppedEventCount == 15)
        subscriber.close()
        #expect(await iterator.next() == nil)
    }

    @Test func closingEndsAWaitingConsumer() async throws {
        let bus = InProcessBus()
        let subscriber = bus.makeSubscriber()
        async let end: BusEvent? = {
            var iterator = subscriber.events.makeAsyncIterator()
            return await iterator.next()
        }()
        try await Task.sleep(for: .milliseconds(50))
        subscriber.close()
        #expect(await end == nil)
    }

    @Test(arguments: ["1-0", "1732665600000-12", "5"])
    func idsParse(text: String) {
        #expect(BusMessageID(text) != nil)
    }

    @Test(arguments: ["", "-", "a-1", "1-b", "1-2-3"])
    func badIDsDoNotParse(text: String) {
        #expect(BusMessageID(text) == nil)
    }
}

@Suite struct InProcessBusHeartbeatTests {
    @Test func heartbeatCarriesTheNewestStoredIDAndIsNotStored() async throws {
        let bus = InProcessBus(milliseconds: { 7 })
        _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
        let subscriber = bus.makeSubscriber()
        try await subscriber.subscribe(to: .logs)
        let heartbeat = try EncodedEnvelope(
            Envelope(
                stream: .logs, type: Heartbeat.type, epoch: 1, timestamp: Date(), account: "1", region: "r", data: Heartbeat()))
        #expect(try await bus.heartbeat(heartbeat, to: .logs, token: "t") == .published(.zero))
        _ = try await bus.publish(InProcessBusTests.envelope("x"), to: .logs, cursor: nil, token: "t")
        #expect(
            try await bus.heartbeat(heartbeat, to: .logs, token: "t") == .published(BusMessageID(milliseconds: 7, sequence: 0)))
        #expect(try await bus.heartbeat(heartbeat, to: .logs, token: "other") == .fenced)
        #expect(try await subscriber.history(of: .logs, after: nil, limit: 10).count == 1)
        var iterator = subscriber.events.makeAsyncIterator()
        var ids: [String] = []
        for _ in 0..<3 {
            if case .message(let message) = await iterator.next() { ids.append(message.id.description) }
        }
        #expect(ids == ["0-0", "7-0", "7-0"])
        subscriber.close()
    }
}

/// The in-process bus keeps the Redis bus's semantics, so `standalone` behaves as a worker and
/// gateways on Redis do: these mirror `RedisBusTests`.
@Suite struct InProcessBusRedisSemanticsTests {
    @Test func theHolderReacquiringKeepsItsEpochAndAnExpiredHolderGetsANewOne() async throws {
        let bus = InProcessBus()
        #expect(try await bus.acquireLease(token: "a", ttl: .milliseconds(60)) == 1)
        // Redis: SET NX fails, GET == token, PEXPIRE, return the current epoch.
        #expect(try await bus.acquireLease(token: "a", ttl: .milliseconds(60)) == 1)
        try await Task.sleep(for: .milliseconds(100))
        // Redis: the key expired, SET NX succeeds, INCR.
        #expect(try await bus.acquireLease(token: "a", ttl: .seconds(10)) == 2)
    }

    @Test func aHolderWhoseLeaseRanOutIsFencedAfterATakeover() async throws {
        let bus = InProcessBus()
        _ = try await bus.acquireLease(token: "old", ttl: .milliseconds(50))
        try await Task.sleep(for: .milliseconds(80))
        #expect(try await bus.publish(InProcessBusTests.envelope("late"), to: .logs, cursor: ["t": "9"], token: "old") == .fenced)
        #expect(try await bus.acquireLease(token: "new", ttl: .seconds(10)) == 2)
        #expect(try await bus.publish(InProcessBusTests.envelope("late"), to: .logs, cursor: ["t": "9"], token: "old") == .fenced)
        #expect(try await bus.cursor(of: .logs) == [:])
        #expect(try await bus.makeSubscriber().latest(of: .logs) == nil)
        guard
            case .published = try await bus.publish(InProcessBusTests.envelope("x"), to: .logs, cursor: ["t": "1"], token: "new")
        else {
            Issue.record("the new holder's publish was refused")
            return
        }
        try await bus.releaseLease(token: "old")  // not the holder: no effect
        #expect(try await bus.renewLease(token: "new", ttl: .seconds(10)))
    }

    @Test func anEmptyCursorLeavesTheStoredCursorAsTheRedisScriptDoes() async throws {
        let bus = InProcessBus()
        _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
        _ = try await bus.publish(InProcessBusTests.envelope("a"), to: .activity, cursor: ["time": "5", "ids": "x"], token: "t")
        _ = try await bus.publish(InProcessBusTests.envelope("b"), to: .activity, cursor: [:], token: "t")
        _ = try await bus.publish(InProcessBusTests.envelope("c"), to: .activity, cursor: nil, token: "t")
        #expect(try await bus.cursor(of: .activity) == ["time": "5", "ids": "x"])
        _ = try await bus.publish(InProcessBusTests.envelope("d"), to: .activity, cursor: ["time": "6"], token: "t")
        #expect(try await bus.cursor(of: .activity) == ["time": "6"])
    }

    @Test func listenersAreCountedPerSubscriberLikeNumsubAndAClosedSubscriberStopsCounting() async throws {
        let bus = InProcessBus()
        let first = bus.makeSubscriber()
        let second = bus.makeSubscriber()
        try await first.subscribe(to: .metrics)
        try await first.subscribe(to: .metrics)  // twice on one connection is one listener, as in Redis
        try await second.subscribe(to: .metrics)
        try await second.subscribe(to: .health)
        #expect(try await bus.listenerCounts(of: [.metrics, .health, .costs]) == [.metrics: 2, .health: 1, .costs: 0])
        second.close()
        #expect(try await bus.listenerCounts(of: [.metrics, .health]) == [.metrics: 1, .health: 0])
        first.close()
    }

    @Test func idsStayOrderedWhenTheClockGoesBackAndEachStreamHasItsOwnSequence() async throws {
        let clock = Mutex<UInt64>(2000)
        let bus = InProcessBus(milliseconds: { clock.withLock { $0 } })
        _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
        var ids: [String] = []
        for (stream, now) in [(StreamName.logs, 2000), (.logs, 1500), (.costs, 1500), (.logs, 2001)] as [(StreamName, UInt64)] {
            clock.withLock { $0 = now }
            if case .published(let id) = try await bus.publish(
                InProcessBusTests.envelope("x"), to: stream, cursor: nil, token: "t")
            {
                ids.append("\(stream.rawValue):\(id)")
            }
        }
        #expect(ids == ["aws-logs:2000-0", "aws-logs:2000-1", "aws-costs:1500-0", "aws-logs:2001-0"])
    }

    @Test func aResumingSubscriberReadsHistoryAfterItsLastIDThenLive() async throws {
        let bus = InProcessBus()
        _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
        var ids: [BusMessageID] = []
        for index in 0..<5 {
            if case .published(let id) = try await bus.publish(
                InProcessBusTests.envelope("\(index)"), to: .security, cursor: nil, token: "t")
            {
                ids.append(id)
            }
        }
        let subscriber = bus.makeSubscriber()
        try await subscriber.subscribe(to: .security)
        let missed = try await subscriber.history(of: .security, after: ids[1], limit: 100)
        #expect(missed.map(\.id) == Array(ids[2...]))
        #expect(try await subscriber.history(of: .security, after: ids[4], limit: 100).isEmpty)
        #expect(try await subscriber.history(of: .security, after: nil, limit: 0).isEmpty)
        guard
            case .published(let live) = try await bus.publish(
                InProcessBusTests.envelope("live"), to: .security, cursor: nil, token: "t")
        else {
            Issue.record("publish refused")
            return
        }
        var iterator = subscriber.events.makeAsyncIterator()
        guard case .message(let message) = await iterator.next() else {
            Issue.record("no live message")
            return
        }
        #expect(message.id == live && message.id > ids[4])
        #expect(String(buffer: message.envelope).contains(#""id":"\#(live)""#))
        subscriber.close()
    }
}
