import Payloads

/// Whether the worker is ready: the broker is reachable and, for the leader, every enabled
/// stream polled successfully within three of its intervals (a stream that has not had the
/// chance yet, just after taking the lease, is given that long).
public enum WorkerReadiness {
    public struct Verdict: Sendable, Equatable {
        public var isReady: Bool
        /// Why not, one line per reason.
        public var reasons: [String]
    }

    public static func evaluate(
        _ snapshot: WorkerStatistics.Snapshot, configuration: WorkerConfiguration, isBrokerReachable: Bool, leaderSince: Double?,
        now: Double
    ) -> Verdict {
        var reasons: [String] = []
        if !isBrokerReachable { reasons.append("the broker is unreachable") }
        if snapshot.isLeader {
            for stream in StreamName.allCases where configuration.stream(stream).isEnabled {
                let allowed = 3 * configuration.stream(stream).interval.seconds
                let reference = snapshot.lastSuccess[stream] ?? leaderSince ?? now
                if now - reference > allowed {
                    reasons.append(
                        "\(stream) has not polled successfully for \(Int(now - reference)) s (allowed \(Int(allowed)) s)")
                }
            }
        }
        return Verdict(isReady: reasons.isEmpty, reasons: reasons)
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
