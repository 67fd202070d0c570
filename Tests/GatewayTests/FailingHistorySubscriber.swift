import Bus
import Payloads
import Synchronization

/// An `InProcessSubscriber` whose history reads fail while `failsHistory` is set: a broker whose
/// pub/sub side is back while reads still fail (the command connection after a Redis restart).
final class FailingHistorySubscriber: SubscriberBus {
    struct ReadFailed: Error {}

    let wrapped: InProcessSubscriber
    private let failing = Atomic<Bool>(false)
    private let failedReads = Atomic<Int>(0)

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
    func subscribe(to stream: StreamName) async throws { try await wrapped.subscribe(to: stream) }
    func unsubscribe(from stream: StreamName) async throws { try await wrapped.unsubscribe(from: stream) }
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
