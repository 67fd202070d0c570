import Foundation
import Logging
import NIOCore
import Payloads
import Redis
import TestSupport
import Testing

@testable import Bus

/// A new subscriber's snapshot of a stream whose history ends with `stream-state` envelopes: the
/// newest data and the newest state, read from the newest entries in one go, on both buses.
@Suite(.timeLimit(.minutes(1))) struct StreamStateSnapshotTests {
    static let unavailable = StreamStateData(
        state: "unavailable", since: "2026-11-27T12:00:00.000Z", operation: "DescribeEvents",
        code: "SubscriptionRequiredException", message: "The AWS Premium Support subscription is required to use this service.",
        retryAt: "2026-11-27T13:00:00.000Z")
    static let degraded = StreamStateData(
        state: "degraded", since: "2026-11-27T11:00:00.000Z", operation: "DescribeEvents", code: "ThrottlingException",
        message: "Rate exceeded")

    static func data(_ value: Int) throws -> EncodedEnvelope {
        try EncodedEnvelope(
            Envelope(
                stream: .health, type: "health", epoch: 1, timestamp: Date(timeIntervalSince1970: 0), account: "1",
                region: "eu-west-1", data: [value]))
    }

    /// As the worker publishes it (`StreamPoller.publishStateIfChanged`).
    static func state(_ state: StreamStateData) throws -> EncodedEnvelope {
        try EncodedEnvelope(
            Envelope(
                stream: .health, type: StreamStateData.type, epoch: 1, timestamp: Date(timeIntervalSince1970: 0), account: "1",
                region: "eu-west-1", data: state))
    }

    static func message(_ json: String, id: UInt64) -> BusMessage {
        BusMessage(stream: .health, id: BusMessageID(milliseconds: id, sequence: 0), envelope: ByteBuffer(string: json))
    }

    // MARK: What a state envelope is

    @Test func aStateIsTheEnvelopesTopLevelType() throws {
        let state = BusMessage(
            stream: .health, id: .zero, envelope: ByteBuffer(bytes: try Self.state(Self.unavailable).withID("1-0")))
        let data = BusMessage(stream: .health, id: .zero, envelope: ByteBuffer(bytes: try Self.data(1).withID("1-0")))
        #expect(state.isStreamState)
        #expect(!data.isStreamState)
        // Another publisher's layout: spaces, keys in another order.
        #expect(Self.message(#"{ "data" : {"state":"live"} , "type" : "stream-state", "id":"1-0" }"#, id: 1).isStreamState)
        // "stream-state" inside the data, or as another key's value, is not the envelope's type.
        #expect(!Self.message(#"{"data":{"type":"stream-state"},"type":"health"}"#, id: 1).isStreamState)
        #expect(!Self.message(#"{"kind":"stream-state","type":"health"}"#, id: 1).isStreamState)
        #expect(!Self.message(#"{"type":"stream-states"}"#, id: 1).isStreamState)
        #expect(!Self.message(#"not json"#, id: 1).isStreamState)
        #expect(!Self.message(#"{"data":[1]}"#, id: 1).isStreamState)
    }

    @Test func aSingleFieldIsReadNoFurtherThanItself() {
        // What follows the key is not read: a broken tail does not hide it.
        let value = EnvelopeFields.value(of: "type", in: ByteBuffer(string: #"{"v":1,"type":"health","data":[1,"#))
        #expect(value.map { String(buffer: $0) } == #""health""#)
        #expect(EnvelopeFields.value(of: "type", in: ByteBuffer(string: #"{"v":1,"data":{"type":"x"}}"#)) == nil)
        #expect(EnvelopeFields.value(of: "type", in: ByteBuffer(string: #"{"v":1,,"type":"x"}"#)) == nil)
        // The whole-object read still rejects the broken tail.
        #expect(EnvelopeFields.values(of: ["type"], in: ByteBuffer(string: #"{"v":1,"type":"health","data":[1,"#)) == nil)
    }

    // MARK: The snapshot, as a value

    @Test func theSnapshotIsTheNewestDataAndTheStateWhenTheNewestEntryIsOne() {
        let data1 = Self.message(#"{"type":"health","data":[1]}"#, id: 1)
        let data2 = Self.message(#"{"type":"health","data":[2]}"#, id: 2)
        let degraded = Self.message(#"{"type":"stream-state","data":{"state":"degraded"}}"#, id: 3)
        let unavailable = Self.message(#"{"type":"stream-state","data":{"state":"unavailable"}}"#, id: 4)
        let live = Self.message(#"{"type":"stream-state","data":{"state":"live"}}"#, id: 5)

        let empty = BusSnapshot(newestFirst: [])
        #expect(empty.isEmpty && empty.messages == [] && empty.lastID == nil)
        // Data last: the stream is live, the data is all.
        let plain = BusSnapshot(newestFirst: [data2, data1])
        #expect(plain.messages == [data2] && plain.state == nil && plain.lastID == data2.id)
        // A state last: the data before it, then the state; older states are superseded.
        let down = BusSnapshot(newestFirst: [unavailable, degraded, data2, data1])
        #expect(down.data == data2 && down.state == unavailable)
        #expect(down.messages == [data2, unavailable] && down.lastID == unavailable.id)
        // Recovered, no new data yet: the data and the live state.
        #expect(BusSnapshot(newestFirst: [live, unavailable, data2]).messages == [data2, live])
        // Never delivered: the state alone.
        let never = BusSnapshot(newestFirst: [unavailable, degraded])
        #expect(never.messages == [unavailable] && never.data == nil && !never.isEmpty)
    }

    // MARK: On the buses

    struct Refused: Error {}

    /// data 0, data 1, degraded, unavailable on `bus`; their ids.
    static func publishHistory(_ bus: some PublisherBus) async throws -> [BusMessageID] {
        var ids: [BusMessageID] = []
        for envelope in [try Self.data(0), try Self.data(1), try Self.state(Self.degraded), try Self.state(Self.unavailable)] {
            guard case .published(let id) = try await bus.publish(envelope, to: .health, cursor: nil, token: "leader") else {
                throw Refused()
            }
            ids.append(id)
        }
        return ids
    }

    static func expectSnapshot(_ subscriber: some SubscriberBus, ids: [BusMessageID]) async throws {
        #expect(try await subscriber.latest(of: .health, count: 3).map(\.id) == [ids[3], ids[2], ids[1]])
        #expect(try await subscriber.latest(of: .health, count: 0) == [])
        #expect(try await subscriber.latest(of: .health)?.id == ids[3])
        let snapshot = try await subscriber.snapshot(of: .health)
        #expect(snapshot.data?.id == ids[1])
        #expect(snapshot.state?.id == ids[3])
        #expect(snapshot.state.map { String(buffer: $0.envelope) }?.contains(#""state":"unavailable""#) == true)
        #expect(snapshot.data.map { String(buffer: $0.envelope) }?.contains(#""data":[1]"#) == true)
        #expect(try await subscriber.snapshot(of: .logs).isEmpty)
    }

    @Test func theInProcessBusReadsTheSnapshotFromItsNewestEntries() async throws {
        let bus = InProcessBus()
        _ = try await bus.acquireLease(token: "leader", ttl: .seconds(10))
        let ids = try await Self.publishHistory(bus)
        try await Self.expectSnapshot(bus.makeSubscriber(), ids: ids)
    }

    /// Integration: a real `redis-server` (the rest of the suite is in-process).
    @Test(.tags(.integration)) func theRedisBusReadsTheSnapshotWithOneReverseRange() async throws {
        try await RedisBusTests.withBuses { _, bus, subscriber in
            _ = try await bus.acquireLease(token: "leader", ttl: .seconds(10))
            let ids = try await Self.publishHistory(bus)
            try await Self.expectSnapshot(subscriber, ids: ids)
        }
    }

    /// Past ``BusSnapshot/scanLimit`` states in a row, the data is out of reach: the state alone.
    @Test func theScanIsBounded() async throws {
        let bus = InProcessBus()
        _ = try await bus.acquireLease(token: "leader", ttl: .seconds(10))
        _ = try await bus.publish(try Self.data(0), to: .health, cursor: nil, token: "leader")
        for _ in 0..<BusSnapshot.scanLimit {
            _ = try await bus.publish(try Self.state(Self.unavailable), to: .health, cursor: nil, token: "leader")
        }
        let subscriber = bus.makeSubscriber()
        #expect(try await subscriber.snapshot(of: .health).data == nil)
        #expect(try await subscriber.snapshot(of: .health).state != nil)
        _ = try await bus.publish(try Self.data(1), to: .health, cursor: nil, token: "leader")
        #expect(try await subscriber.snapshot(of: .health).messages.count == 1)
    }
}
