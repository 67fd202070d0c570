import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a shell command with a deadline and a cap on its standard output, on a thread of its own
/// so no thread of the Swift concurrency pool blocks on the child.
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", shellCommand]
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure.couldNotStart
        }
        let reader = pipe.fileHandleForReading
        defer { try? reader.close() }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        do {
            let output = try readAll(
                fd: reader.fileDescriptor, until: deadline, clock: clock, timeout: timeout, maxBytes: maxOutputBytes)
            try waitForExit(process, until: deadline, clock: clock, timeout: timeout)
            return output
        } catch {
            stop(process)
            throw error
        }
    }

    /// Reads until end of file; bounded by the deadline and by `maxBytes`.
    private static func readAll(
        fd: Int32, until deadline: ContinuousClock.Instant, clock: ContinuousClock, timeout: Duration, maxBytes: Int
    ) throws -> [UInt8] {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let remaining = deadline - clock.now
            guard remaining > .zero else { throw Failure.timedOut(timeout) }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(
                clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                throw Failure.readFailed(errno)
            }
            if ready == 0 { continue }
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

    private static func waitForExit(
        _ process: Process, until deadline: ContinuousClock.Instant, clock: ContinuousClock, timeout: Duration
    ) throws {
        while process.isRunning {
            guard clock.now < deadline else { throw Failure.timedOut(timeout) }
            usleep(5_000)
        }
        if process.terminationReason == .uncaughtSignal {
            throw Failure.killed(process.terminationStatus)
        }
        guard process.terminationStatus == 0 else { throw Failure.exited(process.terminationStatus) }
    }

    /// Terminates the child and waits (at most a second) for it to be reaped.
    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<200 where process.isRunning {
            usleep(5_000)
        }
    }
}
