import Bus
import Payloads

extension GatewayHubStateMachine {
    /// One stream: where its bus subscription stands, who reads it, how far it was relayed,
    /// and the live messages that wait while its history is read.
    struct StreamState {
        enum Phase: Equatable, Sendable {
            /// Not subscribed in the bus; the worker subscribes it once it has a subscriber.
            case unsubscribed
            /// The worker subscribes it and reads its newest id. Live messages wait in the buffer.
            case subscribing
            /// The subscribe failed: tried again at the next tick, or when a client subscribes.
            case subscribeFailed
            /// Live messages are relayed as they come.
            case live
            /// History after the last relayed id is read back; live messages wait in the buffer.
            case recovering(GatewayHubRecovery)
            /// Silent too long: the worker unsubscribes and subscribes it again, then it recovers.
            /// Live messages wait in the buffer.
            case resubscribing
            /// Its last subscriber left: the worker unsubscribes it. Live messages are dropped.
            case unsubscribing
        }

        let name: StreamName
        var phase = Phase.unsubscribed
        var live: [ConnectionID: LiveSubscription] = [:]
        var starting: [ConnectionID: StartingSubscription] = [:]
        /// Messages at or below it are not relayed again. Nil: nothing was stored when the stream
        /// was subscribed (everything stored later is new).
        var lastRelayed: BusMessageID?
        /// When the bus last delivered a message of this stream (heartbeats included).
        var lastSeen: ContinuousClock.Instant
        /// Since the last subscribe failed, until one works or nobody wants the stream.
        var hasFailedSubscribe = false
        /// Live messages that came while the stream was not live, oldest first.
        var buffer: [BusMessage] = []
        /// Messages may have been missed while not live (a gap, or a full buffer): history is read
        /// (again) before it goes live.
        var hasMissedMessages = false

        init(name: StreamName, now: ContinuousClock.Instant) {
            self.name = name
            self.lastSeen = now
        }

        var hasSubscribers: Bool { !live.isEmpty || !starting.isEmpty }

        /// Subscribed in the bus with a baseline: what `/metrics`, SSE positions and a waiting
        /// subscriber count as subscribed.
        var isSubscribedInBus: Bool {
            switch phase {
            case .live, .recovering, .resubscribing: true
            case .unsubscribed, .subscribing, .subscribeFailed, .unsubscribing: false
            }
        }

        var isRecovering: Bool {
            if case .recovering = phase { return true }
            return false
        }

        /// Subscribers told when the stream skips messages: live ones and those holding (those
        /// still catching up read history themselves and miss nothing).
        var subscribersToResync: [Subscriber] {
            live.values.map(\.subscriber) + starting.values.filter(\.isHolding).map(\.subscriber)
        }

        /// Relays one message, in id order, to its live subscribers whose filter lets it through;
        /// holding ones keep it. False when it was relayed already.
        mutating func relay(
            _ message: BusMessage, positions: StreamPositions, into sink: inout some GatewayHubRelaySink<Subscriber>
        ) -> Bool {
            if let lastRelayed, message.id <= lastRelayed { return false }
            lastRelayed = message.id
            guard hasSubscribers else { return true }
            sink.relay(message, positions: positions)
            // Read from the envelope once, by the first subscription with a filter: nothing when
            // none has one.
            var origin: EnvelopeOrigin?
            for subscription in live.values {
                if let floor = subscription.floor, message.id <= floor { continue }
                if let filter = subscription.filter {
                    let known = origin ?? message.origin
                    origin = known
                    guard filter.allows(known) else { continue }
                }
                sink.deliver(to: subscription.subscriber)
            }
            if !starting.isEmpty {
                for index in starting.values.indices { starting.values[index].hold(message, origin: &origin) }
            }
            return true
        }

        /// Keeps a live message until the stream is live again; a full buffer is dropped and read
        /// back from history instead.
        mutating func keep(_ message: BusMessage, limit: Int) {
            if buffer.count < limit {
                buffer.append(message)
            } else {
                buffer = []
                hasMissedMessages = true
            }
        }
    }
}

extension GatewayHubStateMachine.StreamState: Sendable where Subscriber: Sendable, Waiter: Sendable {}
