import NIOCore
import Payloads
import Redis
import Testing

@testable import Bus

/// The order of a reconnect as the gateway sees it: messages of the new connection that arrive
/// before `reconnected` are left to the history read, so none moves "last relayed" past the
/// entries published during the outage.
@Suite struct RedisBusEventTranslatorTests {
    private let keys = RedisBusKeys()

    private func message(_ id: String) -> RedisPubSubEvent {
        .message(
            channel: keys.channel(.metrics),
            payload: ByteBuffer(string: #"{"v":1,"stream":"aws-metrics","type":"t","id":"\#(id)"}"#))
    }

    private func translated(_ events: [RedisPubSubEvent]) -> [RedisBusEventTranslator.Translation] {
        var translator = RedisBusEventTranslator(keys: keys)
        return events.map { translator.translate($0) }
    }

    private func relayed(_ id: String) -> RedisBusEventTranslator.Translation {
        let busID = BusMessageID(id)!
        let payload = ByteBuffer(string: #"{"v":1,"stream":"aws-metrics","type":"t","id":"\#(id)"}"#)
        return .event(.message(BusMessage(stream: .metrics, id: busID, envelope: payload)))
    }

    @Test func messagesBeforeTheReconnectedMarkerAreLeftToRecovery() {
        let output = translated([
            message("1-0"), .disconnected, message("3-0"), message("4-0"), .reconnected, message("5-0"),
        ])
        #expect(output == [relayed("1-0"), .none, .leftForRecovery, .leftForRecovery, .event(.gap), relayed("5-0")])
    }

    @Test func aFailedResubscribeKeepsLeavingMessagesOut() {
        // A resubscribe that fails closes the new connection: a second `disconnected` before any
        // `reconnected`.
        let output = translated([.disconnected, message("2-0"), .disconnected, message("3-0"), .reconnected, message("4-0")])
        #expect(output == [.none, .leftForRecovery, .none, .leftForRecovery, .event(.gap), relayed("4-0")])
    }

    @Test func droppedEventsAreAGapAndWhatIsNotAnEnvelopeIsDroppedWithItsReason() {
        let output = translated([
            .dropped(count: 3), message("6-0"), .message(channel: "elsewhere", payload: ByteBuffer(string: "{}")),
            .message(channel: keys.channel(.metrics), payload: ByteBuffer(string: "not an envelope")),
            .message(channel: keys.channel(.metrics), payload: ByteBuffer(string: #"{"v":1}"#)),
        ])
        #expect(
            output == [
                .event(.gap), relayed("6-0"), .dropped(.unknownChannel, channel: "elsewhere", size: 2),
                .dropped(.notJSON, channel: keys.channel(.metrics), size: 15),
                .dropped(.missingID, channel: keys.channel(.metrics), size: 7),
            ])
    }

    @Test func anEnvelopeWithSpacesIsRelayedAsPublished() {
        let text = #"{"v": 1, "stream": "aws-metrics", "type": "t", "id": "7-0"}"#
        let output = translated([.message(channel: keys.channel(.metrics), payload: ByteBuffer(string: text))])
        #expect(
            output == [
                .event(.message(BusMessage(stream: .metrics, id: BusMessageID("7-0")!, envelope: ByteBuffer(string: text))))
            ])
    }
}
