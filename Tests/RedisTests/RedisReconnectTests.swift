import Logging
import NIOCore
import Redis
import TestSupport
import Testing

@Suite(.tags(.integration)) struct RedisReconnectTests {
    @Test func clientAndSubscriberComeBackAfterTheServerIsKilledAndRestarted() async throws {
        try await RedisServerProcess.withServer { server in
            try await withClient(.test(port: server.port)) { client in
                try await withSubscriber(.test(port: server.port)) { subscriber in
                    var events = subscriber.events.makeAsyncIterator()
                    try await subscriber.subscribe(to: ["live"])
                    _ = try await client.publish("before", to: "live")
                    #expect(try await nextEvent(&events) == .message(channel: "live", payload: ByteBuffer(string: "before")))

                    // Commands in flight when the server dies fail with a clear error, never hang.
                    let inFlight = try await withThrowingTaskGroup(of: RedisClientError?.self) { group in
                        group.addTask {
                            do {
                                _ = try await client.send(["BLPOP", "never-pushed", "3"])
                                return nil
                            } catch let error as RedisClientError {
                                return error
                            }
                        }
                        try await Task.sleep(for: .milliseconds(200))
                        await server.kill()
                        return try await group.next() ?? nil
                    }
                    #expect(inFlight?.code == .connectionClosed)
                    #expect(try await nextEvent(&events) == .disconnected)

                    // While the server is down commands fail fast.
                    let whileDown = ContinuousClock.now
                    await #expect(throws: RedisClientError.self) { _ = try await client.ping() }
                    #expect(ContinuousClock.now - whileDown < .seconds(3))

                    try await server.start()
                    #expect(try await nextEvent(&events) == .reconnected)
                    #expect(subscriber.isConnected)
                    #expect(try await eventually { (try? await client.ping()) == "PONG" })
                    #expect(try await client.publish("after", to: "live") == 1)
                    #expect(try await nextEvent(&events) == .message(channel: "live", payload: ByteBuffer(string: "after")))
                }
            }
        }
    }

    /// "could not connect to 127.0.0.1:<port>" alone did not say why: the log line carries the cause.
    @Test func aFailedConnectIsLoggedWithItsCause() async throws {
        let port = try FreePort.next()
        let (logger, records) = CapturingLogHandler.logger()
        let client = RedisClient(configuration: .test(port: port), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            try await waitUntil("a connect failure is logged", timeout: .seconds(5)) {
                records.all.contains { $0.message == "redis connect failed" }
            }
        }
        let failure = try #require(records.all.first { $0.message == "redis connect failed" })
        #expect(failure.metadata["redis.error"]?.description.contains("127.0.0.1:\(port)") == true)
        let cause = try #require(failure.metadata["redis.error.cause"]?.description)
        #expect(cause.lowercased().contains("refused"), "\(cause)")
    }

    @Test func commandsFailFastWhenThereIsNoServer() async throws {
        let port = try FreePort.next()
        try await withClient(.test(port: port)) { client in
            let start = ContinuousClock.now
            do {
                _ = try await client.ping()
                Issue.record("PING succeeded with no server")
            } catch let error as RedisClientError {
                #expect(error.code == .notConnected)
                #expect(error.message.contains("127.0.0.1:\(port)"))
            }
            #expect(ContinuousClock.now - start < .seconds(3))
        }
    }
}
