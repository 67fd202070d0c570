import Bus
import Logging
import Payloads

/// The hub's three tasks: the bus's events in, the bus calls the state machine asks for
/// (one worker, one call at a time), and the tick that notices silent streams.
extension GatewayHub {
    /// Consumes the bus's events and keeps the bus subscriptions in line with local demand
    /// until cancelled.
    func run() async throws {
        state.withLock { $0.isRunning = true }
        defer { state.withLock { $0.isRunning = false } }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.consumeEvents() }
            group.addTask { await self.performBusActions() }
            group.addTask { await self.tick() }
            await group.next()
            group.cancelAll()
        }
    }

    private func consumeEvents() async {
        for await event in bus.events {
            switch event {
            case .message(let message):
                relay(message)
            case .gap:
                GatewayMetrics.add(metrics.busGaps)
                logger.info("Bus reported a gap; recovering from history")
                let now = clock.now
                resume(state.withLock { $0.busReportedGap(now: now) })
            }
            if Task.isCancelled { break }
        }
    }

    /// Every heartbeat interval (at most a second): silent streams are resubscribed, failed
    /// subscribes tried again.
    private func tick() async {
        let interval = min(configuration.busHeartbeatInterval, .seconds(1))
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let now = clock.now
            resume(state.withLock { $0.tick(now: now) })
        }
    }

    /// The only caller of `bus.subscribe`/`unsubscribe` and of the history reads that recover a
    /// stream: performs what the state machine asks, one action at a time, and parks when it asks
    /// for nothing.
    private func performBusActions() async {
        while !Task.isCancelled {
            guard let action = state.withLock({ $0.nextBusAction() }) else {
                await waitForBusWork()
                continue
            }
            await perform(action)
        }
    }

    private func perform(_ action: GatewayHubBusAction) async {
        switch action {
        case .subscribe(let stream):
            await subscribeInBus(stream)
        case .unsubscribe(let stream):
            do {
                try await bus.unsubscribe(from: stream)
                logger.debug("Unsubscribed in the bus", metadata: ["gateway.stream": "\(stream)"])
            } catch {
                GatewayMetrics.add(metrics.busErrors)
                logger.warning("Bus unsubscribe failed", metadata: ["gateway.stream": "\(stream)", "error": "\(error)"])
            }
            state.withLock { $0.unsubscribed(stream) }
        case .resubscribe(let stream):
            GatewayMetrics.add(metrics.busResubscribes)
            logger.info("No message for three heartbeat intervals; resubscribing", metadata: ["gateway.stream": "\(stream)"])
            do {
                try await bus.unsubscribe(from: stream)
                try await bus.subscribe(to: stream)
            } catch {
                GatewayMetrics.add(metrics.busErrors)
                logger.warning("Resubscribe failed; will retry", metadata: ["gateway.stream": "\(stream)", "error": "\(error)"])
            }
            let now = clock.now
            state.withLock { $0.resubscribed(stream, now: now) }
        case .readHistory(let stream, let after, let limit):
            do {
                let page = try await bus.history(of: stream, after: after, limit: limit)
                GatewayMetrics.add(metrics.recoveredMessages, page.count)
                if case .recovered(let count) = completeHistoryRead(stream, page: page), count > 0 {
                    logger.info("Recovered from history", metadata: ["gateway.stream": "\(stream)", "gateway.count": "\(count)"])
                }
            } catch {
                await recoveryReadFailed(stream, error: error)
            }
        case .readLatest(let stream):
            do {
                let latest = try await bus.latest(of: stream)
                completeSkipToLatest(stream, latest: latest?.id)
                logger.warning(
                    "More was missed than is recovered; subscribers must resync",
                    metadata: ["gateway.stream": "\(stream)", "gateway.count": "\(configuration.limits.maxRecoveryMessages)"])
            } catch {
                await recoveryReadFailed(stream, error: error)
            }
        }
    }

    private func subscribeInBus(_ stream: StreamName) async {
        do {
            try await bus.subscribe(to: stream)
            // The baseline for gap recovery: everything stored up to now is what a new
            // subscriber's snapshot covers.
            let latest = try await bus.latest(of: stream)
            resume(completeSubscribe(stream, latest: latest?.id))
            logger.debug("Subscribed in the bus", metadata: ["gateway.stream": "\(stream)"])
        } catch {
            GatewayMetrics.add(metrics.busErrors)
            logger.warning("Bus subscribe failed; will retry", metadata: ["gateway.stream": "\(stream)", "error": "\(error)"])
            state.withLock { $0.subscribeFailed(stream) }
        }
    }

    /// A failed history read: retried with backoff (the worker waits; live messages of the stream
    /// wait in the state machine) until the recovery times out, then subscribers resync.
    private func recoveryReadFailed(_ stream: StreamName, error: any Error) async {
        GatewayMetrics.add(metrics.busErrors)
        switch failRecoveryRead(stream) {
        case .retry(let delay):
            logger.info("History read failed; retrying", metadata: ["gateway.stream": "\(stream)", "error": "\(error)"])
            try? await Task.sleep(for: delay)
        case .gaveUp:
            logger.warning(
                "History read failed; subscribers must resync", metadata: ["gateway.stream": "\(stream)", "error": "\(error)"])
        }
    }

    // The transitions that may relay: synchronous, like `relay(_:)`, their flushes scheduled once
    // the lock is released.

    private func completeSubscribe(_ stream: StreamName, latest: BusMessageID?) -> [Waiter] {
        var flushes = FlushBatches()
        let now = clock.now
        let waiters = state.withLock { $0.subscribed(stream, latest: latest, now: now, into: &flushes) }
        flushes.schedule(metrics: metrics)
        return waiters
    }

    private func completeHistoryRead(_ stream: StreamName, page: [BusMessage]) -> StateMachine.RecoveryProgress {
        var flushes = FlushBatches()
        let now = clock.now
        let progress = state.withLock { $0.historyRead(stream, page: page, now: now, into: &flushes) }
        flushes.schedule(metrics: metrics)
        return progress
    }

    private func completeSkipToLatest(_ stream: StreamName, latest: BusMessageID?) {
        var flushes = FlushBatches()
        let now = clock.now
        state.withLock { $0.skippedToLatest(stream, latest: latest, now: now, into: &flushes) }
        flushes.schedule(metrics: metrics)
    }

    private func failRecoveryRead(_ stream: StreamName) -> StateMachine.RecoveryFailureAction {
        var flushes = FlushBatches()
        let now = clock.now
        let action = state.withLock { $0.recoveryReadFailed(stream, now: now, into: &flushes) }
        flushes.schedule(metrics: metrics)
        return action
    }
}
