import Bus
import Gateway
import Payloads
import Synchronization
import TestSupport

/// An `InProcessSubscriber` a test can interfere with: history reads fail while `failsHistory`
/// is set (a Redis whose pub/sub side is back while reads still fail, as the command connection
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
        await takeHook(\.afterSubscribe)?(stream)
    }

    func unsubscribe(from stream: StreamName) async throws {
        try await wrapped.unsubscribe(from: stream)
        await takeHook(\.afterUnsubscribe)?(stream)
    }

    private func takeHook(_ hook: WritableKeyPath<(afterUnsubscribe: Hook?, afterSubscribe: Hook?), Hook?>) -> Hook? {
        hooks.withLock { hooks in
            defer { hooks[keyPath: hook] = nil }
            return hooks[keyPath: hook]
        }
    }

    func latest(of stream: StreamName, count: Int) async throws -> [BusMessage] {
        try await wrapped.latest(of: stream, count: count)
    }
    func oldestID(of stream: StreamName) async throws -> BusMessageID? { try await wrapped.oldestID(of: stream) }

    func history(of stream: StreamName, after id: BusMessageID?, limit: Int) async throws -> [BusMessage] {
        if failsHistory {
            failedReads.wrappingAdd(1, ordering: .relaxed)
            throw ReadFailed()
        }
        return try await wrapped.history(of: stream, after: id, limit: limit)
    }
}

/// `withGateway` with the gateway reading the bus through an ``InterceptingSubscriber``, handed
/// to `body` beside the gateway.
func withInterceptedGateway(
    _ configuration: GatewayConfiguration, bus busConfiguration: InProcessBus.Configuration = .init(),
    _ body: @Sendable (RunningGateway, InterceptingSubscriber) async throws -> Void
) async throws {
    let box = Mutex<InterceptingSubscriber?>(nil)
    try await withGateway(
        configuration, bus: busConfiguration,
        subscriber: { inner in
            let subscriber = InterceptingSubscriber(inner)
            box.withLock { $0 = subscriber }
            return subscriber
        }
    ) { gateway in
        guard let subscriber = box.withLock({ $0 }) else { throw HarnessError(message: "no subscriber") }
        try await body(gateway, subscriber)
    }
}
