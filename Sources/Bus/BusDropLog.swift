import Logging
import Synchronization

/// Counts the messages a subscriber dropped, by reason, and logs them at most once per reason per
/// `interval` (with how many were dropped since the last line), so a publisher flooding a
/// channel with garbage cannot flood the log.
final class BusDropLog: Sendable {
    private struct State {
        var counts: [BusDropReason: Int] = [:]
        /// Per reason: when its last line was written, and the drops since.
        var lastLine: [BusDropReason: ContinuousClock.Instant] = [:]
        var unlogged: [BusDropReason: Int] = [:]
    }

    let interval: Duration
    private let state = Mutex(State())

    init(interval: Duration = .seconds(60)) {
        self.interval = interval
    }

    /// Drops so far, every reason present (0 when none).
    var counts: [BusDropReason: Int] {
        state.withLock { state in
            Dictionary(uniqueKeysWithValues: BusDropReason.allCases.map { ($0, state.counts[$0] ?? 0) })
        }
    }

    /// Counts one drop; the number of drops the line to log now reports (this one and those not
    /// logged since the last line), or nil when a line for `reason` was written within `interval`.
    func record(_ reason: BusDropReason, at now: ContinuousClock.Instant) -> Int? {
        state.withLock { state in
            state.counts[reason, default: 0] += 1
            state.unlogged[reason, default: 0] += 1
            if let last = state.lastLine[reason], now - last < interval { return nil }
            state.lastLine[reason] = now
            defer { state.unlogged[reason] = 0 }
            return state.unlogged[reason]
        }
    }

    /// Counts one drop and logs it unless a line for `reason` was written within `interval`.
    func record(_ reason: BusDropReason, channel: String, size: Int, logger: Logger, at now: ContinuousClock.Instant) {
        guard let count = record(reason, at: now) else { return }
        logger.warning(
            "Dropped a message on a bus channel: it is not an envelope the gateway can relay",
            metadata: [
                "bus.drop.reason": "\(reason)", "redis.channel": "\(channel.prefix(128))", "bus.message.bytes": "\(size)",
                "bus.drop.count": "\(count)", "bus.drop.log_interval": "\(interval)",
            ])
    }
}
