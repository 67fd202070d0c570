import Foundation
import Payloads
import Redis
import TestSupport
import Testing

@testable import Bus

/// A stream's cursors per target: the stream's own key for a worker polling one account and
/// Region, `<stream>:<account>:<region>` for each configured target, in the bus's one slot.
@Suite struct BusCursorScopeTests {
    @Test func aTargetsCursorKeyFollowsTheStreamsOwn() {
        let keys = RedisBusKeys()
        #expect(keys.cursor(.logs) == "aws-realtime:cursor:aws-logs")
        #expect(keys.cursor(.logs, scope: .stream) == "aws-realtime:cursor:aws-logs")
        #expect(
            keys.cursor(.logs, scope: .target(account: "111111111111", region: "eu-west-1"))
                == "aws-realtime:cursor:aws-logs:111111111111:eu-west-1")
        #expect(
            keys.cursor(.costs, scope: .target(account: "111111111111", region: "global"))
                == "aws-realtime:cursor:aws-costs:111111111111:global")
    }

    @Test func onAClusterATargetsCursorSharesTheSlotOfTheLease() throws {
        let keys = RedisBusKeys(prefix: RedisBusKeys.clusterDefaultPrefix)
        let cursor = keys.cursor(.security, scope: .target(account: "222222222222", region: "ap-southeast-2"))
        #expect(cursor == "{aws-realtime}:cursor:aws-security:222222222222:ap-southeast-2")
        #expect(RedisClusterSlot.of(key: cursor) == RedisClusterSlot.of(key: keys.leader))
        #expect(RedisClusterSlot.of(key: cursor) == RedisClusterSlot.of(key: keys.log(.security)))
    }

    @Test func theInProcessBusKeepsEachScopesCursorApart() async throws {
        let bus = InProcessBus()
        _ = try await bus.acquireLease(token: "t", ttl: .seconds(10))
        let eu = BusCursorScope.target(account: "111111111111", region: "eu-west-1")
        let us = BusCursorScope.target(account: "111111111111", region: "us-east-1")
        _ = try await bus.publish(InProcessBusTests.envelope("a"), to: .logs, cursor: ["last": "1"], scope: eu, token: "t")
        _ = try await bus.publish(InProcessBusTests.envelope("b"), to: .logs, cursor: ["last": "2"], scope: us, token: "t")
        #expect(try await bus.cursor(of: .logs, scope: eu) == ["last": "1"])
        #expect(try await bus.cursor(of: .logs, scope: us) == ["last": "2"])
        #expect(try await bus.cursor(of: .logs) == [:], "the stream's own cursor is another")
        // One history for the stream, whatever the target.
        #expect(bus.latest(of: .logs, count: 10).count == 2)
        // Fenced: no cursor moves.
        #expect(
            try await bus.publish(InProcessBusTests.envelope("c"), to: .logs, cursor: ["last": "3"], scope: eu, token: "x")
                == .fenced)
        #expect(try await bus.cursor(of: .logs, scope: eu) == ["last": "1"])
    }
}

/// The same on a real `redis-server`: the publish script moves the target's own cursor hash.
@Suite(.timeLimit(.minutes(1)), .tags(.integration)) struct RedisBusTargetCursorTests {
    @Test func eachTargetMovesItsOwnCursorHash() async throws {
        try await RedisBusTests.withBuses { _, bus, _ in
            _ = try await bus.acquireLease(token: "leader", ttl: .seconds(10))
            let eu = BusCursorScope.target(account: "111111111111", region: "eu-west-1")
            let global = BusCursorScope.target(account: "111111111111", region: "global")
            _ = try await bus.publish(RedisBusTests.envelope(1), to: .logs, cursor: ["last": "1"], token: "leader")
            _ = try await bus.publish(RedisBusTests.envelope(2), to: .logs, cursor: ["last": "2"], scope: eu, token: "leader")
            _ = try await bus.publish(
                RedisBusTests.envelope(3), to: .logs, cursor: ["last": "3"], scope: global, token: "leader")
            #expect(try await bus.cursor(of: .logs) == ["last": "1"])
            #expect(try await bus.cursor(of: .logs, scope: eu) == ["last": "2"])
            #expect(try await bus.cursor(of: .logs, scope: global) == ["last": "3"])
            #expect(bus.keys.cursor(.logs, scope: eu) == "test:cursor:aws-logs:111111111111:eu-west-1")
            #expect(
                try await bus.publish(RedisBusTests.envelope(4), to: .logs, cursor: ["last": "9"], scope: eu, token: "usurper")
                    == .fenced)
            #expect(try await bus.cursor(of: .logs, scope: eu) == ["last": "2"])
        }
    }
}
