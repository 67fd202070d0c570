import Logging
import NIOCore
import Redis
import TestSupport

/// A logger that drops everything: tests assert on behaviour, not log lines.
let testLogger = Logger(label: "redis-tests", factory: { _ in SwiftLogNoOpLogHandler() })

extension RedisConfiguration {
    /// A configuration for a test server with short timeouts and fast reconnects.
    static func test(port: Int) -> RedisConfiguration {
        RedisConfiguration(
            host: "127.0.0.1",
            port: port,
            timeouts: .init(connect: .seconds(2), command: .seconds(5)),
            reconnect: .init(initialDelay: .milliseconds(20), maxDelay: .milliseconds(300), multiplier: 2, jitter: 0.2)
        )
    }
}

/// Runs a client's `run()` beside `body` and cancels it when `body` returns.
func withClient<T: Sendable>(_ configuration: RedisConfiguration, _ body: @Sendable (RedisClient) async throws -> T) async throws
    -> T
{
    let client = RedisClient(configuration: configuration, logger: testLogger)
    return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
        group.addTask { try await client.run() }
        do {
            let result = try await body(client)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Runs a subscriber's `run()` beside `body` and cancels it when `body` returns.
func withSubscriber<T: Sendable>(_ configuration: RedisConfiguration, _ body: @Sendable (RedisSubscriber) async throws -> T)
    async throws -> T
{
    let subscriber = RedisSubscriber(configuration: configuration, logger: testLogger)
    return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
        group.addTask { try await subscriber.run() }
        do {
            let result = try await body(subscriber)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Polls `condition` every 10 ms for at most `timeout` (TestSupport's `eventually`, with this suite's default).
func eventually(timeout: Duration = .seconds(5), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    try await TestSupport.eventually(timeout: timeout, condition)
}

/// Reads the next event, failing after `timeout`.
func nextEvent(_ iterator: inout RedisSubscriber.Events.AsyncIterator, timeout: Duration = .seconds(5)) async throws
    -> RedisPubSubEvent?
{
    let box = iterator
    let result = try await withThrowingTaskGroup(of: RedisPubSubEvent??.self) { group in
        group.addTask {
            var iterator = box
            return .some(await iterator.next())
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return .none
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        return first
    }
    guard let result else { throw TimeoutError() }
    return result
}

struct TimeoutError: Error {}
