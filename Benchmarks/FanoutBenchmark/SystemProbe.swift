import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// CPU time, memory and load read from `/proc` and `getrusage`: the gateway's, the load client's
/// own and the whole machine's, so a run says who spent the cores.
enum SystemProbe {
    /// User and system CPU time in microseconds.
    struct CPUTime {
        var user: Double
        var system: Double
        var total: Double { user + system }

        static func - (lhs: CPUTime, rhs: CPUTime) -> CPUTime {
            CPUTime(user: lhs.user - rhs.user, system: lhs.system - rhs.system)
        }
    }

    /// utime and stime of `pid` (every thread), from `/proc/<pid>/stat`.
    static func cpu(pid: Int32) -> CPUTime {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return CPUTime(user: 0, system: 0) }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            return CPUTime(user: 0, system: 0)
        }
        let tick = 1_000_000 / Double(sysconf(Int32(_SC_CLK_TCK)))
        return CPUTime(user: user * tick, system: system * tick)
    }

    /// This process's CPU time (the load client).
    static func ownCPU() -> CPUTime {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func micros(_ time: timeval) -> Double { Double(time.tv_sec) * 1_000_000 + Double(time.tv_usec) }
        return CPUTime(user: micros(usage.ru_utime), system: micros(usage.ru_stime))
    }

    /// The machine's CPU counters (`cpu` line of `/proc/stat`), in clock ticks.
    struct MachineTicks {
        var busy: Double
        var total: Double

        /// Busy share of all cores between two readings.
        static func busyFraction(from start: MachineTicks, to end: MachineTicks) -> Double {
            let total = end.total - start.total
            return total > 0 ? (end.busy - start.busy) / total : 0
        }
    }

    static func machineTicks() -> MachineTicks {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return MachineTicks(busy: 0, total: 0) }
        let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard values.count >= 5 else { return MachineTicks(busy: 0, total: 0) }
        // user nice system idle iowait irq softirq steal (guest time is inside user already).
        let counted = Array(values.prefix(8))
        let idle = counted[3] + counted[4]
        let total = counted.reduce(0, +)
        return MachineTicks(busy: total - idle, total: total)
    }

    /// The 1-minute load average.
    static func loadAverage() -> Double {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) > 0 ? loads[0] : 0
    }

    /// Resident set size of `pid` in MiB.
    static func rssMiB(pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }

    /// Threads of `pid`.
    static func threads(pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("Threads:") {
            return Int(line.split(separator: "\t").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "") ?? 0
        }
        return 0
    }

    /// Raises this process's open-files limit to its hard limit; returns the limit in force.
    static func raiseFileLimit() -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(limit.rlim_cur)
    }
}
