import Bus
import Payloads
import Synchronization

/// An `InProcessSubscriber` a test can interfere with: history reads fail while `failsHistory`
/// is set (a broker whose pub/sub side is back while reads still fail, as the command connection
/// after a Redis restart), and hooks run right after an unsubscribe or a subscribe (to publish in
/// the window the hub cannot see).
final class InterceptingSubscriber: SubscriberBus {
    typealias Hook = @Sendable (StreamName) async -> Void

    struct ReadFailed: Error {}

    let wrapped: InProcessSubscriber
    private let failing = Atomic<Bool>(false)
    private let failedReads = Atomic<Int>(0)
    private let hooks = Mutex<(afterUnsubscribe: Hook?, afterSubscribe: Hook?)>((nil, nil))

    init(_ wrapped: InProcessSubscriber) {
        self.wrapped = wrapped
    }

    var failsHistory: Bool {
        get { failing.load(ordering: .relaxed) }
        set { failing.store(newValue, ordering: .relaxed) }
    }

    /// History reads refused so far.
    var refusedReads: Int { failedReads.load(ordering: .relaxed) }

    var events: InProcessSubscriber.Events { wrapped.events }
    var isConnected: Bool { wrapped.isConnected }
    /// Runs each hook once, after the next unsubscribe and the next subscribe.
    func intercept(afterUnsubscribe: @escaping Hook, afterSubscribe: @escaping Hook) {
        hooks.withLock { $0 = (afterUnsubscribe, afterSubscribe) }
    }

    func subscribe(to stream: StreamName) async throws {
        try await wrapped.subscribe(to: stream)
        let hook = hooks.withLock { hooks in
            defer { hooks.afterSubscribe = nil }
            return hooks.afterSubscribe
        }
        await hook?(stream)
    }

    func unsubscribe(from stream: StreamName) async throws {
        try await wrapped.unsubscribe(from: stream)
        let hook = hooks.withLock { hooks in
            defer { hooks.afterUnsubscribe = nil }
            return hooks.afterUnsubscribe
        }
        await hook?(stream)
    }
    func latest(of stream: StreamName) async throws -> BusMessage? { try await wrapped.latest(of: stream) }
    func oldestID(of stream: StreamName) async throws -> BusMessageID? { try await wrapped.oldestID(of: stream) }

    func history(of stream: StreamName, after id: BusMessageID?, limit: Int) async throws -> [BusMessage] {
        if failsHistory {
            failedReads.wrappingAdd(1, ordering: .relaxed)
            throw ReadFailed()
        }
        return try await wrapped.history(of: stream, after: id, limit: limit)
    }
}
