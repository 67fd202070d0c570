import NIOCore
import Payloads
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The bus of `standalone` mode: the same semantics as the Redis bus (ids, bounded history,
/// fenced lease and publish, cursors, listener counts) inside one process, so one machine needs
/// no Redis.
public final class InProcessBus: PublisherBus, Sendable {
    public struct Configuration: Sendable {
        /// Messages kept per stream for recovery, resume and snapshots (Redis: `MAXLEN ~`).
        public var historyLength: Int
        /// Events a subscriber may have waiting before the oldest are dropped (it then gets `.gap`).
        public var subscriberBufferSize: Int

        public init(historyLength: Int = 1000, subscriberBufferSize: Int = 4096) {
            self.historyLength = historyLength
            self.subscriberBufferSize = subscriberBufferSize
        }
    }

    /// A stream's cursor of one scope.
    struct CursorKey: Hashable {
        var stream: StreamName
        var scope: BusCursorScope
    }

    struct State {
        var logs: [StreamName: [BusMessage]] = [:]
        var lastIDs: [StreamName: BusMessageID] = [:]
        var cursors: [CursorKey: [String: String]] = [:]
        var lease: (token: String, expiresAt: ContinuousClock.Instant)?
        var epoch: Int64 = 0
        var subscribers: [ObjectIdentifier: InProcessSubscriber] = [:]
    }

    let configuration: Configuration
    let state = Mutex(State())
    private let clock = ContinuousClock()
    private let milliseconds: @Sendable () -> UInt64

    public init(
        configuration: Configuration = Configuration(),
        milliseconds: @escaping @Sendable () -> UInt64 = { UInt64(max(0, Date().timeIntervalSince1970 * 1000)) }
    ) {
        self.configuration = configuration
        self.milliseconds = milliseconds
    }

    /// A subscriber (one per gateway), which counts as a listener of the streams it subscribes.
    public func makeSubscriber() -> InProcessSubscriber {
        let subscriber = InProcessSubscriber(bus: self, bufferSize: configuration.subscriberBufferSize)
        state.withLock { $0.subscribers[ObjectIdentifier(subscriber)] = subscriber }
        return subscriber
    }

    func remove(_ subscriber: InProcessSubscriber) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: ObjectIdentifier(subscriber)) }
    }

    // MARK: PublisherBus

    public func acquireLease(token: String, ttl: Duration) async throws -> Int64? {
        let now = clock.now
        return state.withLock { state in
            if let lease = state.lease, lease.expiresAt > now, lease.token != token { return nil }
            if let lease = state.lease, lease.token == token, lease.expiresAt > now {
                state.lease = (token, now.advanced(by: ttl))
                return state.epoch
            }
            state.epoch += 1
            state.lease = (token, now.advanced(by: ttl))
            return state.epoch
        }
    }

    public func renewLease(token: String, ttl: Duration) async throws -> Bool {
        let now = clock.now
        return state.withLock { state in
            guard let lease = state.lease, lease.token == token, lease.expiresAt > now else { return false }
            state.lease = (token, now.advanced(by: ttl))
            return true
        }
    }

    public func releaseLease(token: String) async throws {
        state.withLock { state in
            if state.lease?.token == token { state.lease = nil }
        }
    }

    public func leaseTimeRemaining() async throws -> Duration? {
        let now = clock.now
        return state.withLock { state in
            guard let lease = state.lease, lease.expiresAt > now else { return nil }
            return now.duration(to: lease.expiresAt)
        }
    }

    public func publish(
        _ envelope: EncodedEnvelope, to stream: StreamName, cursor: [String: String]?, scope: BusCursorScope, token: String
    ) async throws -> PublishOutcome {
        let now = clock.now
        let milliseconds = milliseconds()
        // Delivery happens under the lock so that every subscriber sees messages in id order.
        return state.withLock { state in
            guard let lease = state.lease, lease.token == token, lease.expiresAt > now else { return .fenced }
            let id = (state.lastIDs[stream] ?? .zero).next(at: milliseconds)
            state.lastIDs[stream] = id
            let message = BusMessage(stream: stream, id: id, envelope: ByteBuffer(bytes: envelope.withID(id.description)))
            var log = state.logs[stream, default: []]
            log.append(message)
            if log.count > configuration.historyLength { log.removeFirst(log.count - configuration.historyLength) }
            state.logs[stream] = log
            // As the Redis script: an empty cursor leaves the stored one as it is.
            if let cursor, !cursor.isEmpty { state.cursors[CursorKey(stream: stream, scope: scope)] = cursor }
            for subscriber in state.subscribers.values where subscriber.isSubscribed(to: stream) {
                subscriber.deliver(message)
            }
            return .published(id)
        }
    }

    public func heartbeat(_ envelope: EncodedEnvelope, to stream: StreamName, token: String) async throws -> PublishOutcome {
        let now = clock.now
        return state.withLock { state in
            guard let lease = state.lease, lease.token == token, lease.expiresAt > now else { return .fenced }
            let id = state.lastIDs[stream] ?? .zero
            let message = BusMessage(stream: stream, id: id, envelope: ByteBuffer(bytes: envelope.withID(id.description)))
            for subscriber in state.subscribers.values where subscriber.isSubscribed(to: stream) {
                subscriber.deliver(message)
            }
            return .published(id)
        }
    }

    public func cursor(of stream: StreamName, scope: BusCursorScope) async throws -> [String: String] {
        state.withLock { $0.cursors[CursorKey(stream: stream, scope: scope)] ?? [:] }
    }

    public func listenerCounts(of streams: [StreamName]) async throws -> [StreamName: Int] {
        state.withLock { state in
            var counts: [StreamName: Int] = [:]
            for stream in streams {
                counts[stream] = state.subscribers.values.filter { $0.isSubscribed(to: stream) }.count
            }
            return counts
        }
    }

    // MARK: History, for subscribers

    func history(of stream: StreamName, after id: BusMessageID?, limit: Int) -> [BusMessage] {
        state.withLock { state in
            let log = state.logs[stream] ?? []
            let newer = id.map { after in log.filter { $0.id > after } } ?? log
            return Array(newer.prefix(max(0, limit)))
        }
    }

    /// The newest `count` messages, newest first.
    func latest(of stream: StreamName, count: Int) -> [BusMessage] {
        state.withLock { state in Array((state.logs[stream] ?? []).suffix(max(0, count)).reversed()) }
    }

    func oldestID(of stream: StreamName) -> BusMessageID? {
        state.withLock { $0.logs[stream]?.first?.id }
    }
}
