import Payloads

/// Whether the worker is ready: the bus is reachable and, on the leader, every enabled and
/// available stream polled on its own schedule: its last success (or the start of the leadership)
/// is no older than three times the gap its schedule expects now. A stream nobody watches that
/// makes no call while unwatched (the billed ones) expects none; an `unavailable` stream (AWS
/// refuses the API to this account) does not fail readiness: its state says why.
public enum WorkerReadiness {
    public struct Verdict: Sendable, Equatable {
        public var isReady: Bool
        /// Why not, one line per reason.
        public var reasons: [String]
    }

    public static func evaluate(
        _ snapshot: WorkerStatistics.Snapshot, configuration: WorkerConfiguration, isBusReachable: Bool, leaderSince: Double?,
        now: Double
    ) -> Verdict {
        var reasons: [String] = []
        if !isBusReachable { reasons.append("the bus is unreachable") }
        if snapshot.isLeader {
            for stream in StreamName.allCases where configuration.stream(stream).isEnabled {
                let targets = snapshot.targets.filter { $0.key.stream == stream }
                if !targets.isEmpty {
                    reasons += targetReasons(targets, gap: snapshot.expectedGap[stream], leaderSince: leaderSince, now: now)
                    continue
                }
                if snapshot.states[stream]?.state == "unavailable" { continue }
                guard let gap = snapshot.expectedGap[stream] else { continue }
                let allowed = 3 * gap
                let reference = snapshot.lastSuccess[stream] ?? leaderSince ?? now
                if now - reference > allowed {
                    var reason = "\(stream) has not polled successfully for \(Int(now - reference)) s (allowed \(Int(allowed)) s)"
                    if let state = snapshot.states[stream], let code = state.code { reason += ": \(code)" }
                    reasons.append(reason)
                }
            }
        }
        return Verdict(isReady: reasons.isEmpty, reasons: reasons)
    }

    /// A stream of a worker with configured targets: each (account, Region) on its own, so that
    /// one target's `unavailable` neither hides another's silence nor fails readiness itself.
    private static func targetReasons(
        _ targets: [WorkerStatistics.TargetKey: WorkerStatistics.TargetSnapshot], gap: Double?, leaderSince: Double?,
        now: Double
    ) -> [String] {
        guard let gap else { return [] }
        let allowed = 3 * gap
        return targets.sorted { $0.key < $1.key }.compactMap { key, target in
            if target.state?.state == "unavailable" { return nil }
            let reference = target.lastSuccess ?? leaderSince ?? now
            guard now - reference > allowed else { return nil }
            var reason =
                "\(key.stream) in \(key.account)/\(key.region) has not polled successfully for \(Int(now - reference)) s (allowed \(Int(allowed)) s)"
            if let code = target.state?.code { reason += ": \(code)" }
            return reason
        }
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
