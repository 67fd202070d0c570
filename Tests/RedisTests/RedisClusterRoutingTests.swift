import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import Redis

/// Slot hashing, redirections, command routing and map parsing: the pure parts of the cluster
/// client, checked against the cluster specification's examples and replies real servers send.
@Suite struct RedisClusterRoutingTests {
    // MARK: Slots (the cluster specification, "Keys distribution model")

    @Test func crc16IsXmodemAsTheSpecificationsReferenceValueSays() {
        // "The CRC16 ... output for '123456789' is 0x31C3."
        #expect(RedisClusterSlot.crc16(Array("123456789".utf8)) == 0x31C3)
    }

    @Test(arguments: [
        ("foo", 12182), ("bar", 5061), ("hello", 866), ("{aws-realtime}:ch:aws-metrics", 1128),
        ("", 0),
    ])
    func slotsMatchWhatRedisComputes(key: String, slot: Int) {
        // Values from `redis-cli CLUSTER KEYSLOT <key>` on Redis 7.0.15.
        #expect(RedisClusterSlot.of(key: key) == slot)
    }

    @Test func hashTagsFollowTheSpecificationsExamples() {
        let slot = RedisClusterSlot.of(key:)
        // "{user1000}.following" and "{user1000}.followers" hash the same: only "user1000".
        #expect(slot("{user1000}.following") == slot("{user1000}.followers"))
        #expect(slot("{user1000}.following") == slot("user1000"))
        // "foo{}{bar}": the first {} is empty, so the whole key is hashed.
        #expect(slot("foo{}{bar}") == Int(RedisClusterSlot.crc16(Array("foo{}{bar}".utf8)) & 0x3FFF))
        // "foo{{bar}}zap": the tag is "{bar".
        #expect(slot("foo{{bar}}zap") == slot("{bar"))
        // "foo{bar}{zap}": only the first tag counts.
        #expect(slot("foo{bar}{zap}") == slot("bar"))
        // No closing brace: the whole key.
        #expect(slot("foo{bar") == Int(RedisClusterSlot.crc16(Array("foo{bar".utf8)) & 0x3FFF))
    }

    // MARK: Redirections

    @Test func movedAndAskAreParsedAndAnEmptyHostIsTheAnsweringNodes() {
        #expect(
            RedisClusterRedirection(serverMessage: "MOVED 3999 127.0.0.1:6381", answeredBy: "x")
                == .moved(slot: 3999, to: RedisClusterNodeAddress(host: "127.0.0.1", port: 6381)))
        #expect(
            RedisClusterRedirection(serverMessage: "ASK 3999 10.0.0.2:7000", answeredBy: "x")
                == .ask(slot: 3999, to: RedisClusterNodeAddress(host: "10.0.0.2", port: 7000)))
        #expect(
            RedisClusterRedirection(serverMessage: "MOVED 1 :6380", answeredBy: "node-a")
                == .moved(slot: 1, to: RedisClusterNodeAddress(host: "node-a", port: 6380)))
        #expect(
            RedisClusterRedirection(serverMessage: "MOVED 7 [::1]:6380", answeredBy: "x")
                == .moved(slot: 7, to: RedisClusterNodeAddress(host: "::1", port: 6380)))
    }

    @Test(arguments: [
        "MOVED 16384 127.0.0.1:6381", "MOVED -1 127.0.0.1:6381", "MOVED 1 127.0.0.1:0", "MOVED 1 127.0.0.1:99999",
        "MOVED 1", "ASK x 127.0.0.1:1", "ERR wrong kind", "MOVED 1 127.0.0.1", "MOVED 1 h:1 extra",
    ])
    func malformedRedirectionsAreNotFollowed(message: String) {
        #expect(RedisClusterRedirection(serverMessage: message, answeredBy: "x") == nil)
    }

    // MARK: Routing

    private static func route(_ words: String...) -> RedisClusterCommandRoute {
        RedisClusterCommandRoute(words.map { ByteBuffer(string: $0) })
    }

    @Test func commandsGoToTheirKeysSlot() {
        let slot = RedisClusterSlot.of(key: "{t}:log:s")
        #expect(Self.route("XRANGE", "{t}:log:s", "-", "+") == .slot(slot))
        #expect(Self.route("evalsha", "abc", "2", "{t}:log:s", "{t}:x", "arg") == .slot(slot))
        #expect(Self.route("EVAL", "return 1", "0") == .anyPrimary)
        #expect(Self.route("SPUBLISH", "{t}:log:s", "m") == .slot(slot))
        #expect(Self.route("PUBSUB", "SHARDNUMSUB", "{t}:log:s") == .slot(slot))
        #expect(Self.route("PUBSUB", "NUMSUB", "{t}:log:s") == .anyPrimary)
        #expect(Self.route("PUBLISH", "{t}:log:s", "m") == .anyPrimary)
        #expect(Self.route("PING") == .anyPrimary)
        #expect(Self.route("CLUSTER", "SHARDS") == .anyPrimary)
        #expect(Self.route("EVALSHA", "abc", "not-a-number", "k") == .anyPrimary)
    }

    // MARK: Maps

    private static func bulk(_ text: String) -> RESPValue { .bulkString(ByteBuffer(string: text)) }

    private static func node(_ port: Int, role: String, health: String = "online", endpoint: String = "127.0.0.1")
        -> RESPValue
    {
        .map([
            .init(key: bulk("id"), value: bulk("id-\(port)")), .init(key: bulk("port"), value: .integer(Int64(port))),
            .init(key: bulk("ip"), value: bulk("127.0.0.1")), .init(key: bulk("endpoint"), value: bulk(endpoint)),
            .init(key: bulk("role"), value: bulk(role)), .init(key: bulk("health"), value: bulk(health)),
        ])
    }

    private static func shard(_ ranges: [Int], _ nodes: [RESPValue]) -> RESPValue {
        .map([
            .init(key: bulk("slots"), value: .array(ranges.map { .integer(Int64($0)) })),
            .init(key: bulk("nodes"), value: .array(nodes)),
        ])
    }

    @Test func clusterShardsGivesEachSlotsPrimaryAndSkipsFailedNodes() throws {
        let reply = RESPValue.array([
            Self.shard([0, 5460], [Self.node(7001, role: "master"), Self.node(7004, role: "replica")]),
            Self.shard([5461, 10922], [Self.node(7002, role: "master", health: "failed"), Self.node(7005, role: "replica")]),
            Self.shard([10923, 16000, 16001, 16383], [Self.node(7003, role: "master", endpoint: "?")]),
        ])
        let topology = try RedisClusterTopology(shardsReply: reply, answeredBy: "seed", tls: false)
        #expect(topology.primary(ofSlot: 0) == RedisClusterNodeAddress(host: "127.0.0.1", port: 7001))
        #expect(topology.primary(ofSlot: 5461) == nil)
        #expect(topology.primary(ofSlot: 16383) == RedisClusterNodeAddress(host: "seed", port: 7003))
        #expect(topology.coveredSlotCount == 16384 - (10922 - 5461 + 1))
        #expect(topology.shards.first?.replicas == [RedisClusterNodeAddress(host: "127.0.0.1", port: 7004)])
    }

    @Test func clusterShardsInRESP2FlatArraysReadsTheSame() throws {
        let flatNode = RESPValue.array([
            Self.bulk("port"), .integer(7001), Self.bulk("endpoint"), Self.bulk("10.0.0.1"), Self.bulk("role"),
            Self.bulk("master"), Self.bulk("health"), Self.bulk("online"),
        ])
        let reply = RESPValue.array([
            .array([Self.bulk("slots"), .array([.integer(0), .integer(16383)]), Self.bulk("nodes"), .array([flatNode])])
        ])
        let topology = try RedisClusterTopology(shardsReply: reply, answeredBy: "seed", tls: false)
        #expect(topology.primaries == [RedisClusterNodeAddress(host: "10.0.0.1", port: 7001)])
        #expect(topology.coveredSlotCount == 16384)
    }

    @Test func clusterSlotsFromOlderServersReadsTheSame() throws {
        let reply = RESPValue.array([
            .array([
                .integer(0), .integer(8191), .array([Self.bulk("127.0.0.1"), .integer(7001), Self.bulk("id1")]),
                .array([Self.bulk("127.0.0.1"), .integer(7003), Self.bulk("id3")]),
            ]),
            .array([.integer(8192), .integer(16383), .array([Self.bulk(""), .integer(7002), Self.bulk("id2")])]),
        ])
        let topology = try RedisClusterTopology(slotsReply: reply, answeredBy: "seed")
        #expect(topology.primary(ofSlot: 8191)?.port == 7001)
        #expect(topology.primary(ofSlot: 8192) == RedisClusterNodeAddress(host: "seed", port: 7002))
        #expect(topology.coveredSlotCount == 16384)
    }

    @Test(arguments: [
        RESPValue.array([.array([.integer(0), .integer(16384), .array([.bulkString(ByteBuffer(string: "h")), .integer(1)])])]),
        RESPValue.array([.array([.integer(9), .integer(3), .array([.bulkString(ByteBuffer(string: "h")), .integer(1)])])]),
        RESPValue.array([.array([.integer(0), .integer(1)])]),
        RESPValue.integer(3),
    ])
    func mapsWithImpossibleSlotsAreErrors(reply: RESPValue) {
        #expect(throws: RedisClientError.self) { try RedisClusterTopology(slotsReply: reply, answeredBy: "seed") }
    }

    @Test func aMovedPatchesOneSlotUntilTheNextRefresh() throws {
        var topology = try RedisClusterTopology(
            slotsReply: .array([.array([.integer(0), .integer(16383), .array([Self.bulk("a"), .integer(1)])])]),
            answeredBy: "seed")
        topology.assign(slot: 42, to: RedisClusterNodeAddress(host: "b", port: 2))
        #expect(topology.primary(ofSlot: 42)?.host == "b")
        #expect(topology.primary(ofSlot: 43)?.host == "a")
        topology.assign(slot: 99_999, to: RedisClusterNodeAddress(host: "c", port: 3))
        #expect(topology.primaries.count == 2)
    }

    // MARK: Sharded pub/sub on the wire

    @Test func shardMessagesAreDeliveredAndAnUnaskedSunsubscribeSaysTheSlotMoved() throws {
        let harness = try RedisChannelHandlerTests.Harness(isSubscriber: true)
        let promise = harness.channel.eventLoop.makePromise(of: Void.self)
        var buffer = ByteBuffer()
        RESPCommandEncoder.encode(["SSUBSCRIBE", "{t}a"], into: &buffer)
        harness.write(
            RedisRequest(bytes: buffer, responder: .subscription(promise, expected: [.init(kind: .ssubscribe, name: "{t}a")])))
        try harness.reply(">3\r\n$10\r\nssubscribe\r\n$4\r\n{t}a\r\n:1\r\n")
        try promise.futureResult.wait()
        try harness.reply(">3\r\n$8\r\nsmessage\r\n$4\r\n{t}a\r\n$2\r\nhi\r\n")
        // The node gave the slot away: nothing was asked, so it is news, not a confirmation.
        try harness.reply(">3\r\n$12\r\nsunsubscribe\r\n$4\r\n{t}a\r\n:0\r\n")
        // The connection goes on (a protocol error would have closed it and dropped this).
        try harness.reply(">3\r\n$8\r\nsmessage\r\n$4\r\n{t}b\r\n$2\r\nyo\r\n")
        let pushes = harness.pushes.withLockedValue { $0 }
        #expect(pushes.count == 3)
        if case .message(let channel, let payload) = pushes.first {
            #expect(String(buffer: channel) == "{t}a")
            #expect(String(buffer: payload) == "hi")
        } else {
            Issue.record("expected the shard message first")
        }
        if case .shardChannelUnsubscribed(let channel) = pushes[1] {
            #expect(String(buffer: channel) == "{t}a")
        } else {
            Issue.record("expected the unasked sunsubscribe")
        }
        _ = try harness.channel.finish()
    }
}
