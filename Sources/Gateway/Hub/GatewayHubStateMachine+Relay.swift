import Bus
import Payloads

extension GatewayHubStateMachine {
    /// What became of a live message from the bus.
    enum ReceiveResult: Equatable, Sendable {
        /// Relayed to the stream's subscribers (if it has any).
        case relayed
        /// At or below the last relayed id: relayed before (from history, or twice by the bus).
        case duplicate
        /// The stream is not live: the message waits until it is.
        case buffered
        /// The stream is not subscribed in the bus.
        case dropped
    }

    /// A live message from the bus (the hot path): relayed at once to a live stream's
    /// subscribers, kept while its stream's history is read.
    mutating func receive(
        _ message: BusMessage, now: Instant, into sink: inout some GatewayHubRelaySink<Subscriber>
    ) -> ReceiveResult {
        guard let index = Self.index(of: message.stream) else { return .dropped }
        streams[index].lastSeen = now
        switch streams[index].phase {
        case .live:
            return relay(message, at: index, into: &sink) ? .relayed : .duplicate
        case .subscribing, .recovering, .resubscribing:
            streams[index].keep(message, limit: configuration.bufferLimit)
            return .buffered
        case .unsubscribed, .subscribeFailed, .unsubscribing:
            return .dropped
        }
    }

    /// Relays one message of the stream at `index` (live, buffered or read back) unless it was
    /// relayed already.
    mutating func relay(_ message: BusMessage, at index: Int, into sink: inout some GatewayHubRelaySink<Subscriber>) -> Bool {
        let positions = self.positions
        guard streams[index].relay(message, positions: positions, into: &sink) else { return false }
        if streams[index].isSubscribedInBus { self.positions[streams[index].name] = message.id }
        return true
    }

    // MARK: Subscriptions

    /// Subscribes `subscriber` to `streams` in the catching-up phase: live messages are not queued
    /// to it until `goLive(_:at:)`. Wakes the worker when a stream must be subscribed in the bus.
    /// `filter`: the accounts and regions it sees of them (nil: everything).
    mutating func subscribe(
        _ id: ConnectionID, _ subscriber: Subscriber, to names: [StreamName], heldLimit: Int, filter: TargetFilter? = nil
    ) -> [Waiter] {
        for name in names {
            guard let index = Self.index(of: name) else { continue }
            streams[index].live[id] = nil
            streams[index].starting[id] = StartingSubscription(subscriber: subscriber, heldLimit: heldLimit, filter: filter)
            // A client waits for it: try again now rather than at the next tick.
            if streams[index].phase == .subscribeFailed { streams[index].phase = .unsubscribed }
        }
        return wakeWorkerIfWorkIsDue()
    }

    /// Removes a subscription; false when there was none. Wakes the worker when it was the
    /// stream's last.
    mutating func unsubscribe(_ id: ConnectionID, from stream: StreamName) -> (isRemoved: Bool, wakeups: [Waiter]) {
        guard let index = Self.index(of: stream) else { return (false, []) }
        let wasLive = streams[index].live.removeValue(forKey: id) != nil
        let wasStarting = streams[index].starting.removeValue(forKey: id) != nil
        guard wasLive || wasStarting else { return (false, []) }
        return (true, wakeWorkerIfWorkIsDue())
    }

    /// The subscriber went away while starting: its subscriptions to `names` that are not live
    /// are forgotten.
    mutating func abandon(_ id: ConnectionID, _ names: [StreamName]) -> [Waiter] {
        for name in names {
            guard let index = Self.index(of: name) else { continue }
            streams[index].starting[id] = nil
        }
        return wakeWorkerIfWorkIsDue()
    }

    /// Whether `id`'s subscription to `stream` must read history (not live, not holding).
    func isCatchingUp(_ id: ConnectionID, in stream: StreamName) -> Bool {
        guard let subscription = self.stream(stream)?.starting[id] else { return false }
        return !subscription.isHolding
    }

    enum GoLiveAction: Sendable {
        /// Some stream is still behind the last relayed id: catch up again (those caught up hold
        /// their live messages meanwhile).
        case catchUp
        /// Every stream is live. Queue `held` (oldest first per stream, past what was sent) to the
        /// subscriber before the lock is released: the next live message comes after them.
        case live(held: [BusMessage])
    }

    /// A starting subscriber sent history up to `positions` (the last id sent per stream): each
    /// stream caught up to its last relayed id holds its live messages from now on; once all are,
    /// they go live together (an SSE event id carries every stream's position: they must be the
    /// ones its client was sent).
    mutating func goLive(_ id: ConnectionID, at positions: [(stream: StreamName, after: BusMessageID)]) -> GoLiveAction {
        var isCaughtUp = true
        var ready: [Int] = []
        for (stream, after) in positions {
            guard let index = Self.index(of: stream), let subscription = streams[index].starting[id] else { continue }
            if !subscription.isHolding {
                if let relayed = streams[index].lastRelayed, relayed > after {
                    isCaughtUp = false
                    continue
                }
                streams[index].starting[id]?.isHolding = true
                streams[index].starting[id]?.floor = after
            }
            ready.append(index)
        }
        guard isCaughtUp else { return .catchUp }
        var held: [BusMessage] = []
        for index in ready {
            guard let subscription = streams[index].starting.removeValue(forKey: id) else { continue }
            var floor = subscription.floor
            for message in subscription.held where floor.map({ message.id > $0 }) ?? true {
                held.append(message)
                floor = message.id
            }
            streams[index].live[id] = LiveSubscription(
                subscriber: subscription.subscriber, floor: floor, filter: subscription.filter)
        }
        return .live(held: held)
    }
}
