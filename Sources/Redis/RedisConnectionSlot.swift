import NIOCore
import Synchronization

/// The current connection of a reconnecting owner (``RedisClient``, ``RedisSubscriber``), and
/// the callers waiting for one while it connects. Waiting is bounded in count and in time (the
/// connect timeout); while the owner backs off between attempts, callers fail at once with
/// `.notConnected` instead of queueing up.
final class RedisConnectionSlot: Sendable {
    private enum State {
        case connecting(waiters: [Int: CheckedContinuation<RedisConnection, any Error>])
        case connected(RedisConnection)
        case disconnected(RedisClientError)
        case shutdown
    }

    private struct Box {
        var state: State = .connecting(waiters: [:])
        var nextWaiterID = 0
    }

    private let box = Mutex(Box())
    private let maxWaiters: Int
    private let waitTimeout: Duration
    private let endpoint: String
    private let eventLoop: any EventLoop

    init(maxWaiters: Int, waitTimeout: Duration, endpoint: String, eventLoop: any EventLoop) {
        self.maxWaiters = maxWaiters
        self.waitTimeout = waitTimeout
        self.endpoint = endpoint
        self.eventLoop = eventLoop
    }

    /// The slot of a connection to `configuration`'s server: callers wait at most its connect
    /// timeout.
    convenience init(for configuration: RedisConfiguration, maxWaiters: Int, eventLoop: any EventLoop) {
        self.init(
            maxWaiters: maxWaiters, waitTimeout: configuration.timeouts.connect, endpoint: configuration.endpointDescription,
            eventLoop: eventLoop)
    }

    var current: RedisConnection? {
        self.box.withLock { box in
            if case .connected(let connection) = box.state { return connection }
            return nil
        }
    }

    /// The live connection, waiting for one while connecting.
    func connection() async throws -> RedisConnection {
        enum Fast {
            case connection(RedisConnection)
            case error(RedisClientError)
            case wait(Int)
        }
        let fast: Fast = self.box.withLock { box in
            switch box.state {
            case .connected(let connection):
                return .connection(connection)
            case .disconnected(let error):
                return .error(error)
            case .shutdown:
                return .error(RedisClientError(code: .shutdown, message: "the Redis client for \(self.endpoint) has shut down"))
            case .connecting:
                box.nextWaiterID += 1
                return .wait(box.nextWaiterID)
            }
        }
        switch fast {
        case .connection(let connection):
            return connection
        case .error(let error):
            throw error
        case .wait(let id):
            return try await self.wait(id: id)
        }
    }

    private func wait(id: Int) async throws -> RedisConnection {
        let timeout = self.eventLoop.scheduleTask(in: TimeAmount(self.waitTimeout)) {
            self.failWaiter(
                id: id,
                with: RedisClientError(
                    code: .notConnected, message: "no connection to \(self.endpoint) within the connect timeout")
            )
        }
        defer { timeout.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RedisConnection, any Error>) in
                let immediate: Result<RedisConnection, any Error>? = self.box.withLock { box in
                    switch box.state {
                    case .connecting(var waiters):
                        guard waiters.count < self.maxWaiters else {
                            return .failure(
                                RedisClientError(
                                    code: .tooManyPendingCommands,
                                    message: "\(self.maxWaiters) commands already wait for a connection to \(self.endpoint)"
                                )
                            )
                        }
                        guard !Task.isCancelled else { return .failure(CancellationError()) }
                        waiters[id] = continuation
                        box.state = .connecting(waiters: waiters)
                        return nil
                    case .connected(let connection):
                        return .success(connection)
                    case .disconnected(let error):
                        return .failure(error)
                    case .shutdown:
                        return .failure(
                            RedisClientError(code: .shutdown, message: "the Redis client for \(self.endpoint) has shut down"))
                    }
                }
                if let immediate {
                    continuation.resume(with: immediate)
                }
            }
        } onCancel: {
            self.failWaiter(id: id, with: CancellationError())
        }
    }

    private func failWaiter(id: Int, with error: any Error) {
        let continuation: CheckedContinuation<RedisConnection, any Error>? = self.box.withLock { box in
            guard case .connecting(var waiters) = box.state, let continuation = waiters.removeValue(forKey: id) else {
                return nil
            }
            box.state = .connecting(waiters: waiters)
            return continuation
        }
        continuation?.resume(throwing: error)
    }

    /// A connection attempt starts: callers wait for it.
    func startConnecting() {
        self.box.withLock { box in
            switch box.state {
            case .connecting, .shutdown: break
            case .connected, .disconnected: box.state = .connecting(waiters: [:])
            }
        }
    }

    /// The attempt succeeded: waiting callers get the connection.
    func connected(_ connection: RedisConnection) {
        self.transition(to: .connected(connection), result: .success(connection))
    }

    /// The connection dropped or the attempt failed: waiting callers fail with `error`, and
    /// callers fail at once until the next attempt starts.
    func disconnected(_ error: RedisClientError) {
        self.transition(to: .disconnected(error), result: .failure(error))
    }

    /// The owner stopped for good.
    func shutdown() {
        let error = RedisClientError(code: .shutdown, message: "the Redis client for \(self.endpoint) has shut down")
        self.transition(to: .shutdown, result: .failure(error))
    }

    private func transition(to newState: State, result: Result<RedisConnection, any Error>) {
        let waiters: [CheckedContinuation<RedisConnection, any Error>] = self.box.withLock { box in
            var waiters: [CheckedContinuation<RedisConnection, any Error>] = []
            if case .connecting(let pending) = box.state {
                waiters = Array(pending.values)
            }
            if case .shutdown = box.state { return waiters }
            box.state = newState
            return waiters
        }
        for waiter in waiters {
            waiter.resume(with: result)
        }
    }
}
