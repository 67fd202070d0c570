import Testing

@testable import Redis

@Suite struct RedisConfigurationTests {
    @Test func parsesAFullURL() throws {
        let configuration = try RedisConfiguration(url: "rediss://worker:p%40ss%3Aword@cache.internal:6380/3")
        #expect(configuration.host == "cache.internal")
        #expect(configuration.port == 6380)
        #expect(configuration.username == "worker")
        #expect(configuration.password == "p@ss:word")
        #expect(configuration.database == 3)
        #expect(configuration.tls.isEnabled)
    }

    @Test func parsesMinimalAndIPv6URLs() throws {
        let plain = try RedisConfiguration(url: "redis://localhost")
        #expect(plain.host == "localhost")
        #expect(plain.port == 6379)
        #expect(plain.username == nil && plain.password == nil)
        #expect(!plain.tls.isEnabled)
        let passwordOnly = try RedisConfiguration(url: "redis://:secret@[::1]:7000/0")
        #expect(passwordOnly.host == "::1")
        #expect(passwordOnly.port == 7000)
        #expect(passwordOnly.username == nil)
        #expect(passwordOnly.password == "secret")
    }

    @Test(arguments: [
        "http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h/x", "redis://u:p%zz@h", "redis://[::1",
    ])
    func rejectsBadURLsWithoutEchoingThem(url: String) {
        do {
            _ = try RedisConfiguration(url: url)
            Issue.record("accepted \(url)")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(!error.message.contains("p%zz"))
        }
    }

    @Test func clusterModeIsChosenByURLSchemeOrEnvironmentAndRefusesADatabase() throws {
        let url = try RedisConfiguration(url: "rediss+cluster://u:pw@clustercfg.cache.amazonaws.com:6379")
        #expect(url.cluster.isEnabled && url.tls.isEnabled)
        #expect(url.host == "clustercfg.cache.amazonaws.com")
        #expect(url.description == "rediss+cluster://u:***@clustercfg.cache.amazonaws.com:6379")
        #expect(try RedisConfiguration(url: "redis+cluster://h").cluster.isEnabled)
        #expect(try !RedisConfiguration(url: "redis://h").cluster.isEnabled)
        #expect(try RedisConfiguration(environment: ["REDIS_CLUSTER": "true"]).cluster.isEnabled)
        #expect(try RedisConfiguration(environment: ["REDIS_CLUSTER": "auto"]).cluster.isAutomatic)
        #expect(try RedisConfiguration(environment: ["REDIS_CLUSTER": "no"]).cluster.isDisabled)
        // The file's choice (passed as defaults) stands unless the environment says otherwise.
        let fromFile = try RedisConfiguration(
            environment: ["REDIS_URL": "redis://h"], defaults: RedisConfiguration(cluster: .enabled))
        #expect(fromFile.cluster.isEnabled)
        #expect(throws: RedisClientError.self) { try RedisConfiguration(environment: ["REDIS_CLUSTER": "maybe"]) }
        // A cluster has only database 0: SELECT would fail on every connection, so say it now.
        for environment in [
            ["REDIS_URL": "redis+cluster://h/2"], ["REDIS_CLUSTER": "true", "REDIS_DB": "1"],
            ["REDIS_URL": "redis://h/3", "REDIS_CLUSTER": "auto"],
        ] {
            do {
                _ = try RedisConfiguration(environment: environment)
                Issue.record("accepted a database on a cluster: \(environment)")
            } catch {
                #expect(error.code == .invalidConfiguration)
                #expect(error.message.contains("database"))
            }
        }
    }

    @Test func readsTheEnvironmentItIsGiven() throws {
        let legacy = try RedisConfiguration(environment: [
            "REDIS_HOST": "redis.local", "REDIS_PORT": "6390", "REDIS_PASSWORD": "pw",
        ])
        #expect(legacy.host == "redis.local")
        #expect(legacy.port == 6390)
        #expect(legacy.password == "pw")
        let url = try RedisConfiguration(environment: ["REDIS_URL": "redis://a:1/2", "REDIS_HOST": "ignored"])
        #expect(url.host == "a" && url.port == 1 && url.database == 2)
        let defaults = try RedisConfiguration(environment: [:])
        #expect(defaults.host == "127.0.0.1" && defaults.port == 6379)
        #expect(throws: RedisClientError.self) { try RedisConfiguration(environment: ["REDIS_PORT": "abc"]) }
        do {
            _ = try RedisConfiguration(environment: ["REDIS_URL": "redis://u:hunter2@h:notaport"])
            Issue.record("accepted a bad port")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let configuration = try RedisConfiguration(url: "rediss://alice:hunter2@h:1/4")
        #expect(configuration.description == "rediss://alice:***@h:1/4")
        #expect(!"\(configuration)".contains("hunter2"))
        #expect(!String(reflecting: configuration.description).contains("hunter2"))
    }

    /// The reconnect policy is the process's backoff: 100 ms doubling to 2 s, the delay scaled by
    /// a factor in [0.5, 1).
    @Test func theReconnectPolicyIsExponentialClampedAndHalfJittered() {
        let backoff = RedisConfiguration.Reconnect(
            initialDelay: .milliseconds(100), maxDelay: .seconds(2), multiplier: 2, jitter: 0.5
        )
        .backoff
        #expect(backoff.delay(attempt: 0, random: 0.999_999_999) > .milliseconds(99))
        #expect(backoff.delay(attempt: 0, random: 0) == .milliseconds(50))
        #expect(backoff.delay(attempt: 3, random: 0) == .milliseconds(400))
        #expect(backoff.delay(attempt: 10, random: 0) == .seconds(1))
        #expect(backoff.delay(attempt: 1000, random: 0.999_999_999) > .milliseconds(1999))
        for attempt in 0..<20 {
            let delay = backoff.delay(attempt: attempt)
            #expect(delay >= .zero && delay <= .seconds(2))
        }
    }

    @Test func scriptHasItsSHA1() {
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}
