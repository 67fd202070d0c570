import AsyncPrimitives
import Synchronization
import TestSupport
import Testing

@Suite struct DropOldestBufferTests {
    enum Event: Sendable, Equatable {
        case value(Int)
        case dropped(Int)
    }

    private func makeBuffer(capacity: Int) -> DropOldestBuffer<Event> {
        DropOldestBuffer(capacity: capacity, droppedMarker: Event.dropped)
    }

    @Test func aFullBufferDropsTheOldestAndTheConsumerIsToldHowManyBeforeTheNext() async {
        let buffer = makeBuffer(capacity: 3)
        for value in 0..<5 { buffer.push(.value(value)) }
        #expect(await buffer.next() == .dropped(2))
        #expect(await buffer.next() == .value(2))
        buffer.push(.value(5))
        buffer.push(.value(6))
        #expect(await buffer.next() == .dropped(1))
        #expect(await buffer.next() == .value(4))
        #expect(await buffer.next() == .value(5))
        #expect(await buffer.next() == .value(6))
        #expect(buffer.totalDropped == 3)
    }

    @Test func aCapacityBelowOneHoldsOne() async {
        let buffer = makeBuffer(capacity: 0)
        #expect(buffer.capacity == 1)
        buffer.push(.value(1))
        buffer.push(.value(2))
        #expect(await buffer.next() == .dropped(1))
        #expect(await buffer.next() == .value(2))
    }

    @Test func finishingEndsAfterWhatIsQueuedAndLaterPushesAreIgnored() async {
        let buffer = makeBuffer(capacity: 4)
        buffer.push(.value(1))
        buffer.finish()
        buffer.push(.value(2))
        var seen: [Event] = []
        for await event in buffer.elements { seen.append(event) }
        #expect(seen == [.value(1)])
    }

    @Test func aWaitingConsumerGetsThePushedElement() async {
        let buffer = makeBuffer(capacity: 4)
        async let next = buffer.next()
        // The consumer may or may not wait before the push: it gets the element either way.
        try? await Task.sleep(for: .milliseconds(20))
        buffer.push(.value(7))
        #expect(await next == .value(7))
    }

    @Test func aWaitingConsumerEndsWhenFinished() async {
        let buffer = makeBuffer(capacity: 4)
        async let next = buffer.next()
        try? await Task.sleep(for: .milliseconds(20))
        buffer.finish()
        #expect(await next == nil)
    }

    @Test func aCancelledConsumerEnds() async {
        let buffer = makeBuffer(capacity: 4)
        let consumer = Task { await buffer.next() }
        try? await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        #expect(await consumer.value == nil)
        // The buffer still serves the next consumer.
        buffer.push(.value(1))
        #expect(await buffer.next() == .value(1))
    }

    /// One consumer at a time: a second is ended at once rather than taking the first's place (the
    /// bus's copy of this buffer let the second replace the first, whose task then waited forever).
    @Test func aSecondConcurrentConsumerEndsAtOnceAndTheFirstStillGetsTheNext() async throws {
        let buffer = makeBuffer(capacity: 4)
        for _ in 0..<20 {
            let first = Received()
            let consumer = Task { first.set(await buffer.next()) }
            try await Task.sleep(for: .milliseconds(20))
            let second = await withTimeout(.milliseconds(200), orElse: Event??.none) { .some(await buffer.next()) }
            guard case .some(nil) = second else {
                // The first was not waiting yet, so the second waited in its place: try again.
                consumer.cancel()
                _ = try await eventually(timeout: .milliseconds(200)) { first.value != nil }
                continue
            }
            buffer.push(.value(1))
            // Polled, not awaited: a first consumer stranded by the second would never return.
            _ = try await eventually(timeout: .seconds(5)) { first.value != nil }
            #expect(first.value == .some(.value(1)))
            return
        }
        Issue.record("The first consumer never waited")
    }

    /// What a consumer task received: nil until it returned.
    private final class Received: Sendable {
        private let received = Mutex<Event??>(.none)
        var value: Event?? { received.withLock { $0 } }
        func set(_ event: Event?) { received.withLock { $0 = .some(event) } }
    }
}

@Suite struct WithTimeoutTests {
    @Test func anOperationThatFinishesInTimeGivesItsResult() async {
        #expect(await withTimeout(.seconds(10), orElse: 0) { 42 } == 42)
    }

    @Test func anOperationThatTakesTooLongGivesTheFallbackAndIsCancelled() async {
        let start = ContinuousClock.now
        let result = await withTimeout(.milliseconds(50), orElse: "timed out") {
            do {
                try await Task.sleep(for: .seconds(30))
                return "finished"
            } catch {
                return "cancelled"
            }
        }
        #expect(result == "timed out")
        // The operation was cancelled, not waited for.
        #expect(ContinuousClock.now - start < .seconds(10))
    }
}
