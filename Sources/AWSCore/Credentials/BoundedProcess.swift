import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a shell command with a deadline and a cap on its standard output, on a thread of its own
/// so no thread of the Swift concurrency pool blocks on the child.
///
/// The command runs in a process group of its own (`posix_spawn` with `POSIX_SPAWN_SETPGROUP`),
/// and the whole group is killed (`kill(-pgid, SIGKILL)`) when the command is done or its time
/// is up: a background process it left behind dies with it. The command is done when the shell
/// exits: its output is what it printed until then, and a grandchild that keeps standard output
/// open does not make the caller wait.
enum BoundedProcess {
    enum Failure: Error, CustomStringConvertible {
        case couldNotStart
        case timedOut(Duration)
        case outputTooLarge(Int)
        case exited(Int32)
        case killed(Int32)
        case readFailed(Int32)

        var description: String {
            switch self {
            case .couldNotStart: "could not be started"
            case .timedOut(let limit): "did not finish within \(limit)"
            case .outputTooLarge(let limit): "printed more than \(limit) bytes"
            case .exited(let status): "exited with status \(status)"
            case .killed(let signal): "was killed by signal \(signal)"
            case .readFailed(let code): "output could not be read (errno \(code))"
            }
        }
    }

    static func run(shellCommand: String, environment: [String: String], timeout: Duration, maxOutputBytes: Int) async throws
        -> [UInt8]
    {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
            let thread = Thread {
                continuation.resume(
                    with: Result {
                        try runBlocking(
                            shellCommand: shellCommand, environment: environment, timeout: timeout, maxOutputBytes: maxOutputBytes
                        )
                    })
            }
            thread.name = "aws-realtime.credential-process"
            thread.start()
        }
    }

    private static func runBlocking(shellCommand: String, environment: [String: String], timeout: Duration, maxOutputBytes: Int)
        throws -> [UInt8]
    {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw Failure.couldNotStart }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        // Not inherited by other children (`pipe2` is not in Swift's Glibc); the spawned shell gets
        // the write end through `dup2`, which clears the flag on its copy.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        defer { close(readEnd) }
        let spawned = spawn(shellCommand: shellCommand, environment: environment, stdout: writeEnd)
        close(writeEnd)
        guard let pid = spawned else { throw Failure.couldNotStart }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        do {
            let output = try readUntilExit(
                fd: readEnd, pid: pid, until: deadline, clock: clock, timeout: timeout, maxBytes: maxOutputBytes)
            try waitForExit(pid, until: deadline, clock: clock, timeout: timeout)
            // The shell has exited and is not reaped yet, so its pid still names its group: whatever
            // is left in the group (a background job) is killed before the pid can be reused.
            kill(-pid, SIGKILL)
            try reap(pid)
            return output
        } catch {
            kill(-pid, SIGKILL)
            try? reap(pid)
            throw error
        }
    }

    /// `/bin/sh -c command` in a new process group (its pid is the group id), standard input and
    /// error on /dev/null, standard output on `stdout`, signals at their defaults and unmasked.
    private static func spawn(shellCommand: String, environment: [String: String], stdout: Int32) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        guard posix_spawn_file_actions_init(&actions) == 0 else { return nil }
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        guard posix_spawnattr_init(&attributes) == 0 else { return nil }
        defer { posix_spawnattr_destroy(&attributes) }
        guard posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) == 0,
            posix_spawn_file_actions_adddup2(&actions, stdout, 1) == 0,
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) == 0
        else { return nil }
        var noSignals = sigset_t()
        var allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        let flags = Int32(POSIX_SPAWN_SETPGROUP) | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        guard posix_spawnattr_setflags(&attributes, Int16(flags)) == 0, posix_spawnattr_setpgroup(&attributes, 0) == 0,
            posix_spawnattr_setsigmask(&attributes, &noSignals) == 0, posix_spawnattr_setsigdefault(&attributes, &allSignals) == 0
        else { return nil }

        let arguments = ["/bin/sh", "-c", shellCommand]
        let variables = environment.map { "\($0.key)=\($0.value)" }
        return withCStrings(arguments) { argv in
            withCStrings(variables) { envp in
                var pid: pid_t = 0
                return posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp) == 0 ? pid : nil
            }
        }
    }

    /// A NULL-terminated array of C strings alive for the duration of `body`.
    private static func withCStrings<T>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T?
    ) -> T? {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeBufferPointer { buffer in buffer.baseAddress.flatMap(body) }
    }

    /// Reads until end of file or until the child `pid` exits (then what is buffered in the pipe
    /// is read without waiting); bounded by the deadline and by `maxBytes`.
    private static func readUntilExit(
        fd: Int32, pid: pid_t, until deadline: ContinuousClock.Instant, clock: ContinuousClock, timeout: Duration,
        maxBytes: Int
    ) throws -> [UInt8] {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var exited = false
        while true {
            let remaining = deadline - clock.now
            guard remaining > .zero else { throw Failure.timedOut(timeout) }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            // Short slices while the child runs, so its exit is seen even if the pipe stays open.
            let slice = exited ? 0 : min(milliseconds(remaining), 20)
            let ready = poll(&descriptor, 1, slice)
            if ready < 0 {
                if errno == EINTR { continue }
                throw Failure.readFailed(errno)
            }
            if ready == 0 {
                // Nothing (more) to read: after the exit the output is complete.
                if exited { return output }
                exited = hasExited(pid)
                continue
            }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw Failure.readFailed(errno)
            }
            if count == 0 { return output }
            output += buffer[0..<count]
            guard output.count <= maxBytes else { throw Failure.outputTooLarge(maxBytes) }
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        Int32(clamping: duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000 + 1)
    }

    /// Whether `pid` has exited, without reaping it (its pid, the group id, stays taken).
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return false }
        return info._sifields._sigchld.si_pid == pid
    }

    private static func waitForExit(
        _ pid: pid_t, until deadline: ContinuousClock.Instant, clock: ContinuousClock, timeout: Duration
    )
        throws
    {
        while !hasExited(pid) {
            guard clock.now < deadline else { throw Failure.timedOut(timeout) }
            usleep(2_000)
        }
    }

    /// Reaps the exited `pid` and turns its status into success or a failure.
    private static func reap(_ pid: pid_t) throws {
        var status: Int32 = 0
        // The group was sent SIGKILL: the shell exits at once if it had not already.
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return }
        }
        let signal = status & 0x7F
        if signal != 0 { throw Failure.killed(signal) }
        let code = (status >> 8) & 0xFF
        guard code == 0 else { throw Failure.exited(code) }
    }
}
