import Synchronization

/// What every load connection reports: how its setup went, deliveries per sequence number,
/// duplicates and latency from publish to receipt.
final class LoadStats: Sendable {
    struct State {
        /// TCP connected (the handshake request sent).
        var tcpConnected = 0
        /// Upgraded (`101`).
        var connected = 0
        /// Subscription confirmed.
        var subscribed = 0
        /// Closed at any point (before or after the upgrade).
        var closed = 0
        /// Closed before the upgrade answered.
        var closedBeforeUpgrade = 0
        /// Closed after the upgrade but before the subscription was confirmed.
        var closedBeforeSubscribed = 0
        /// Refused upgrades (status line other than 101), errors, Socket.IO connect errors.
        var failed = 0
        /// The first few failure descriptions, to say why.
        var failureSamples: [String] = []
        var duplicates = 0
        /// Deliveries per publish sequence number (index = seq), only while measuring.
        var perSequence: [Int] = []
        /// Latency histogram in 10 µs buckets up to 2 s, only while measuring.
        var histogram = [Int](repeating: 0, count: 200_000)
        var overflow = 0
        var maxLatencyMicros = 0
        var measuredFrom = Int.max
        var maxSequence = 0

        /// Connections whose setup is over, one way or the other.
        var settled: Int { subscribed + failed + closedBeforeUpgrade + closedBeforeSubscribed }
    }
    let state = Mutex(State())

    func fail(_ reason: String) {
        state.withLock { state in
            state.failed += 1
            if state.failureSamples.count < 5 { state.failureSamples.append(reason) }
        }
    }

    func record(sequence: Int, latencyNanos: Int64) {
        state.withLock { state in
            if sequence > state.maxSequence { state.maxSequence = sequence }
            guard sequence >= state.measuredFrom else { return }
            if sequence >= state.perSequence.count {
                state.perSequence.append(contentsOf: repeatElement(0, count: sequence + 1024 - state.perSequence.count))
            }
            state.perSequence[sequence] += 1
            let micros = Int(max(0, latencyNanos) / 1000)
            if micros > state.maxLatencyMicros { state.maxLatencyMicros = micros }
            let bucket = micros / 10
            if bucket < state.histogram.count { state.histogram[bucket] += 1 } else { state.overflow += 1 }
        }
    }

    /// The latency (µs) below which `fraction` of the measured deliveries fall.
    func percentile(_ fraction: Double) -> Int {
        state.withLock { state in
            let total = state.histogram.reduce(0, +) + state.overflow
            guard total > 0 else { return 0 }
            let target = Int((Double(total) * fraction).rounded(.up))
            var seen = 0
            for (bucket, count) in state.histogram.enumerated() {
                seen += count
                if seen >= target { return bucket * 10 + 10 }
            }
            return state.maxLatencyMicros
        }
    }
}
