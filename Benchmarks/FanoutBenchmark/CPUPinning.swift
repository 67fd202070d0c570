import Foundation

/// `--pin RELAY,REST`: the relay (the gateway's every thread, or nginx's master and worker) on
/// CPU RELAY, and this process (load client, publisher) with the `redis-server` it starts on CPU
/// REST, so the relay has a core of its own and its CPU per delivery is not the load client's
/// contention. Both are set with util-linux's `taskset -a -p -c CPU PID` (every thread of the
/// process); a thread started later inherits its creator's CPU.
struct CPUPinning: Sendable {
    var relayCPU: Int
    var restCPU: Int

    /// Parses `RELAY,REST`, two different CPUs of this machine; nil when `text` is not that.
    init?(_ text: String) {
        let cpus = text.split(separator: ",").compactMap { Int($0) }
        let count = ProcessInfo.processInfo.activeProcessorCount
        guard cpus.count == 2, cpus[0] != cpus[1], cpus.allSatisfy({ (0..<count).contains($0) }) else { return nil }
        relayCPU = cpus[0]
        restCPU = cpus[1]
    }

    /// Pins this process (every thread it has now and the ones it starts later, and so the
    /// `redis-server` and relays it starts until they are pinned themselves) to ``restCPU``.
    func pinThisProcess() throws {
        try Self.pin(getpid(), to: restCPU)
    }

    /// Pins every thread of `pids` to ``relayCPU``.
    func pinRelay(_ pids: [Int32]) throws {
        for pid in pids { try Self.pin(pid, to: relayCPU) }
    }

    private static func pin(_ pid: Int32, to cpu: Int) throws {
        let taskset = Process()
        taskset.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
        taskset.arguments = ["-a", "-p", "-c", String(cpu), String(pid)]
        taskset.standardOutput = FileHandle.nullDevice
        try taskset.run()
        taskset.waitUntilExit()
        guard taskset.terminationStatus == 0 else {
            throw BenchmarkError(message: "taskset -a -p -c \(cpu) \(pid) exited with \(taskset.terminationStatus)")
        }
    }
}
