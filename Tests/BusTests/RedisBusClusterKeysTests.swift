import Payloads
import Redis
import Testing

@testable import Bus

/// On a Redis Cluster every key one publish script touches must share a slot: the prefix's hash tag.
@Suite struct RedisBusClusterKeysTests {
    @Test func theClusterDefaultPutsEveryKeyAndChannelInOneSlot() throws {
        let keys = RedisBusKeys(prefix: RedisBusKeys.clusterDefaultPrefix)
        try keys.checkClusterSafe(configurationKey: "REDIS_KEY_PREFIX")
        #expect(keys.hashTag == "aws-realtime")
        var names = [keys.leader, keys.epoch]
        for stream in ["aws-metrics", "aws-logs", "aws-activity", "aws-costs", "aws-security", "aws-health"] {
            let name = try #require(StreamName(rawValue: stream))
            names += [keys.channel(name), keys.log(name), keys.cursor(name)]
        }
        #expect(Set(names.map { RedisClusterSlot.of(key: $0) }).count == 1)
    }

    @Test(arguments: ["aws-realtime:", "a{}b:", "{open:", "x}{y:"])
    func aPrefixWithoutAWholeHashTagIsRefusedNamingTheSetting(prefix: String) {
        do {
            try RedisBusKeys(prefix: prefix).checkClusterSafe(configurationKey: "REDIS_KEY_PREFIX")
            Issue.record("accepted \(prefix)")
        } catch {
            #expect(error.message.contains("REDIS_KEY_PREFIX"))
            #expect(error.message.contains("{aws-realtime}:"))
        }
    }

    @Test func aCustomTagIsAccepted() throws {
        try RedisBusKeys(prefix: "prod:{shop}:").checkClusterSafe(configurationKey: "REDIS_KEY_PREFIX")
    }
}
