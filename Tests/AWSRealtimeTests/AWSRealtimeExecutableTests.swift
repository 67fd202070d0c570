import Foundation
import TestSupport
import Testing

/// The helper that runs the built executable: a run cancelled (as a test's time limit cancels it)
/// kills its process. It used to leave it running: a command that did not exit outlived the test
/// run, three gateway and standalone processes of a failed run found hours later.
@Suite(
    .timeLimit(.minutes(1)), .enabled(if: AWSRealtimeExecutable.isBuilt, "build the aws-realtime executable first"),
    .tags(.integration))
struct AWSRealtimeExecutableTests {
    @Test func aCancelledRunKillsItsProcess() async throws {
        // A loopback address of its own (127.0.0.0/8 is loopback on Linux) names this process for pgrep.
        let host = "127.\(Int.random(in: 2...254)).\(Int.random(in: 2...254)).\(Int.random(in: 2...254))"
        let run = Task {
            try await AWSRealtimeExecutable.run(
                ["gateway", "--bus", "in-process", "--allow-anonymous", "--host", host, "--port", "0"])
        }
        try await waitUntil("the gateway on \(host) runs", timeout: .seconds(20)) { Self.isRunning(host) }
        run.cancel()
        let result = try await run.value
        #expect(result.status == SIGKILL, "\(result)")
        #expect(try await eventually(timeout: .seconds(5)) { !Self.isRunning(host) })
    }

    private static func isRunning(_ host: String) -> Bool {
        ((try? ChildProcessRun.run("/usr/bin/pgrep", ["-f", "--", "--host \(host) "])).map { $0.status == 0 }) ?? false
    }
}
