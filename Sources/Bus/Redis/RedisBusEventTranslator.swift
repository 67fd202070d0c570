import NIOCore
import Payloads
import Redis

/// Turns a ``RedisSubscriber``'s events into bus events, in order.
///
/// After a dropped connection, the new connection's first messages reach the buffer before the
/// subscriber's `reconnected` (the subscriber announces it once every SUBSCRIBE is confirmed,
/// and messages can arrive in between). Relaying them before the gap would move the gateway's
/// "last relayed" past the entries published during the outage, and its recovery would then skip
/// those. So messages between `disconnected` and `reconnected` are left out: each was stored
/// (XADD) before it was published, so the history read the gap starts returns it, in order.
struct RedisBusEventTranslator {
    enum Translation: Equatable {
        case event(BusEvent)
        /// A message on a bus channel that is not an envelope, and why; `size` in bytes.
        case dropped(BusDropReason, channel: String, size: Int)
        /// Left out while reconnecting: the history read after the gap returns it.
        case leftForRecovery
        case none
    }

    let keys: RedisBusKeys
    private(set) var isReconnecting = false

    init(keys: RedisBusKeys) {
        self.keys = keys
    }

    mutating func translate(_ event: RedisPubSubEvent) -> Translation {
        switch event {
        case .message(let channel, let payload), .patternMessage(_, let channel, let payload):
            if isReconnecting { return .leftForRecovery }
            guard let stream = keys.stream(ofChannel: channel) else {
                return .dropped(.unknownChannel, channel: channel, size: payload.readableBytes)
            }
            switch RedisSubscriberBus.readEnvelopeID(payload) {
            case .success(let id):
                return .event(.message(BusMessage(stream: stream, id: id, envelope: payload)))
            case .failure(let reason):
                return .dropped(reason, channel: channel, size: payload.readableBytes)
            }
        case .disconnected:
            isReconnecting = true
            return .none
        case .reconnected:
            isReconnecting = false
            return .event(.gap)
        case .dropped:
            return .event(.gap)
        }
    }
}
