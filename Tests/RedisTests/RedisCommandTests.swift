import NIOCore
import Redis
import TestSupport
import Testing

/// Every typed command against a real redis-server.
@Suite(.tags(.integration)) struct RedisCommandTests {
    @Test func typedCommands() async throws {
        try await RedisServerProcess.withServer { server in
            try await withClient(.test(port: server.port)) { client in
                #expect(try await client.ping() == "PONG")

                #expect(try await client.get("missing") == nil)
                #expect(try await client.set("k", to: "v1"))
                #expect(try await client.get("k") == ByteBuffer(string: "v1"))
                #expect(try await client.set("k", to: "v2", condition: .ifNotExists) == false)
                #expect(try await client.set("lease", to: "me", condition: .ifNotExists, expiration: .milliseconds(1500)))
                let ttl = try await client.send(["PTTL", "lease"]).int ?? -1
                #expect(ttl > 0 && ttl <= 1500)
                #expect(try await client.set("k", to: "v3", condition: .ifExists))

                #expect(try await client.increment("counter") == 1)
                #expect(try await client.increment("counter") == 2)
                #expect(try await client.delete(["k", "counter", "nothing"]) == 2)

                #expect(try await client.hset("h", fields: [("a", "1"), ("b", "2")]) == 2)
                let hash = try await client.hgetall("h")
                #expect(hash == ["a": ByteBuffer(string: "1"), "b": ByteBuffer(string: "2")])
                #expect(try await client.hgetall("nohash").isEmpty)

                var ids: [String] = []
                for index in 0..<5 {
                    let id = try await client.xadd(
                        "s",
                        fields: [
                            .init(name: "n", value: ByteBuffer(string: "\(index)")),
                            .init(name: "x", value: ByteBuffer(string: "y")),
                        ],
                        trim: .approximateMaxLength(1000)
                    )
                    ids.append(id)
                }
                let all = try await client.xrange("s")
                #expect(all.map(\.id) == ids)
                #expect(all[2][field: "n"] == ByteBuffer(string: "2"))
                #expect(all[2].fields.map(\.name) == ["n", "x"])
                let after = try await client.xrange("s", from: "(\(ids[2])", count: 10)
                #expect(after.map(\.id) == Array(ids[3...]))
                let latest = try await client.xrevrange("s", count: 2)
                #expect(latest.map(\.id) == [ids[4], ids[3]])
                _ = try await client.xadd(
                    "s", fields: [.init(name: "n", value: ByteBuffer(string: "t"))], trim: .exactMaxLength(2))
                #expect(try await client.xrange("s").count == 2)

                #expect(try await client.publish("nobody listens", to: "ch") == 0)
                #expect(try await client.subscriberCounts(of: ["ch", "other"]) == ["ch": 0, "other": 0])

                let script = RedisScript("return {KEYS[1], ARGV[1]}")
                _ = try await client.send(["SCRIPT", "FLUSH"])
                let first = try await client.evaluate(script, keys: ["key"], arguments: [ByteBuffer(string: "arg")])
                #expect(first == .array([.bulkString(ByteBuffer(string: "key")), .bulkString(ByteBuffer(string: "arg"))]))
                let cached = try await client.send(["SCRIPT", "EXISTS", script.sha1])
                #expect(cached.elements?.first?.int == 1)
                #expect(
                    try await client.evaluate(script, keys: ["k2"], arguments: [ByteBuffer(string: "a2")]).elements?.count == 2)

                let raw = try await client.send([ByteBuffer(string: "ECHO"), ByteBuffer(bytes: [0, 255, 13, 10])])
                #expect(raw == .bulkString(ByteBuffer(bytes: [0, 255, 13, 10])))
            }
        }
    }

    @Test func serverErrorsCarryTheirMessage() async throws {
        try await RedisServerProcess.withServer { server in
            try await withClient(.test(port: server.port)) { client in
                do {
                    _ = try await client.send(["EVALSHA", String(repeating: "a", count: 40), "0"])
                    Issue.record("EVALSHA of an unknown script succeeded")
                } catch let error as RedisClientError {
                    #expect(error.code == .serverError)
                    #expect(error.serverErrorPrefix == "NOSCRIPT")
                    #expect(error.message.contains("NOSCRIPT"))
                }
                _ = try await client.set("str", to: "x")
                await #expect(throws: RedisClientError.self) { _ = try await client.increment("str") }
                // The connection is still usable after error replies.
                #expect(try await client.ping() == "PONG")
            }
        }
    }

    @Test func resp2ConnectionsWork() async throws {
        try await RedisServerProcess.withServer { server in
            var configuration = RedisConfiguration.test(port: server.port)
            configuration.protocolVersion = .resp2
            configuration.clientName = "resp2-test"
            configuration.database = 2
            let connection = try await RedisConnection.connect(configuration: configuration, logger: testLogger)
            #expect(!connection.isRESP3)
            #expect(try await connection.hset("h", fields: [("f", "v")]) == 1)
            #expect(try await connection.hgetall("h") == ["f": ByteBuffer(string: "v")])
            #expect(try await connection.send(["CLIENT", "GETNAME"]).string == "resp2-test")
            #expect(try await connection.send(["CLIENT", "INFO"]).string?.contains("db=2") == true)
            await connection.close()
        }
    }

    @Test func resp3HandshakeSetsTheName() async throws {
        try await RedisServerProcess.withServer { server in
            var configuration = RedisConfiguration.test(port: server.port)
            configuration.clientName = "resp3-test"
            let connection = try await RedisConnection.connect(configuration: configuration, logger: testLogger)
            #expect(connection.isRESP3)
            #expect(try await connection.send(["CLIENT", "GETNAME"]).string == "resp3-test")
            // RESP3 HGETALL is a map; the typed helper reads both forms.
            _ = try await connection.hset("h", fields: [("f", "v")])
            if case .map = try await connection.send(["HGETALL", "h"]) {} else { Issue.record("expected a RESP3 map") }
            await connection.close()
        }
    }

    @Test func pipelinesTenThousandCommandsInOrder() async throws {
        try await RedisServerProcess.withServer { server in
            try await withClient(.test(port: server.port)) { client in
                // One write of 10,000 commands.
                let commands = (0..<10_000).map { [ByteBuffer(string: "ECHO"), ByteBuffer(string: "m\($0)")] }
                let replies = try await client.pipeline(commands)
                #expect(replies.count == 10_000)
                #expect(replies.enumerated().allSatisfy { $0.element == .bulkString(ByteBuffer(string: "m\($0.offset)")) })

                // 10,000 concurrent callers on one connection: each gets its own reply.
                let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<10_000 {
                        group.addTask {
                            let reply = try await client.send(["ECHO", "c\(index)"])
                            return reply.string == "c\(index)" ? 0 : 1
                        }
                    }
                    return try await group.reduce(0, +)
                }
                #expect(mismatches == 0)

                // INCR pipelined: replies are 1...n in order.
                let increments = try await client.pipeline(
                    (0..<1000).map { _ in [ByteBuffer(string: "INCR"), ByteBuffer(string: "n")] })
                #expect(increments == (1...1000).map { RESPValue.integer(Int64($0)) })
            }
        }
    }

    @Test func pipelinesFromTheConnectionsEventLoop() async throws {
        try await RedisServerProcess.withServer { server in
            let connection = try await RedisConnection.connect(configuration: .test(port: server.port), logger: testLogger)
            // Windows of 64 back to back, the caller on the connection's event loop; every reply in order.
            let total = try await withTaskExecutorPreference(connection.taskExecutor) {
                var total: [RESPValue] = []
                for _ in 0..<50 {
                    #expect(connection.closeFuture.eventLoop.inEventLoop)
                    total += try await connection.pipeline(
                        (0..<64).map { _ in [ByteBuffer(string: "INCR"), ByteBuffer(string: "w")] })
                }
                return total
            }
            #expect(total == (1...3200).map { RESPValue.integer(Int64($0)) })
            // A server error is still an error in place, and single commands still throw.
            let mixed = try await withTaskExecutorPreference(connection.taskExecutor) {
                try await connection.pipeline([
                    [ByteBuffer(string: "INCR"), ByteBuffer(string: "w")], [ByteBuffer(string: "NOPE")],
                ])
            }
            #expect(mixed.first == .integer(3201))
            if case .error = mixed.last {} else { Issue.record("expected an error reply in place") }
            await #expect(throws: RedisClientError.self) {
                try await withTaskExecutorPreference(connection.taskExecutor) { try await connection.send(["NOPE"]) }
            }
            // The typed batch: one count per message (no subscribers here).
            let counts = try await connection.publish((0..<100).map { ByteBuffer(string: "m\($0)") }, to: "typed")
            #expect(counts == Array(repeating: 0, count: 100))
            #expect(try await connection.publish([ByteBuffer](), to: "typed") == [])
            await connection.close()
        }
    }
}
