import Bus

extension GatewayHubStateMachine {
    /// A subscriber that gets a stream's messages as they are relayed.
    struct LiveSubscription {
        let subscriber: Subscriber
        /// Messages at or below it were sent already (snapshot, history or held).
        var floor: BusMessageID?
        /// The accounts and regions it sees; nil: everything (no per-message check).
        var filter: TargetFilter? = nil
    }

    /// A subscriber on its way to live delivery (`GatewayHub+Subscribe.swift`).
    struct StartingSubscription {
        let subscriber: Subscriber
        /// False while it is sent history (its resume, or what followed its snapshot): live messages
        /// are not kept for it, it reads them from history (every message relayed was stored
        /// first). True once caught up to the last relayed id while its other streams are not:
        /// live messages are kept in `held` (past `heldLimit` it goes back to catching up).
        var isHolding = false
        var floor: BusMessageID?
        var held: [BusMessage] = []
        let heldLimit: Int
        /// The accounts and regions it sees; nil: everything.
        let filter: TargetFilter?

        init(subscriber: Subscriber, heldLimit: Int, filter: TargetFilter? = nil) {
            self.subscriber = subscriber
            self.heldLimit = heldLimit
            self.filter = filter
        }

        /// Keeps a live message for when it goes live (one its filter lets through: `origin` is the
        /// message's, read once for every subscription); a subscription holding too many reads them
        /// from history instead.
        mutating func hold(_ message: BusMessage, origin: inout EnvelopeOrigin?) {
            guard isHolding else { return }
            if let filter {
                let known = origin ?? message.origin
                origin = known
                guard filter.allows(known) else { return }
            }
            if held.count < heldLimit {
                held.append(message)
            } else {
                held = []
                isHolding = false
            }
        }
    }
}

extension GatewayHubStateMachine.LiveSubscription: Sendable where Subscriber: Sendable, Waiter: Sendable {}

extension GatewayHubStateMachine.StartingSubscription: Sendable where Subscriber: Sendable, Waiter: Sendable {}
