import AWSCore
import Foundation
import SigV4
import Testing

/// `credential_process` runs in a process group of its own, killed as a whole: a background job
/// that keeps the command's standard output open neither makes the chain wait nor outlives it.
@Suite struct CredentialProcessGroupTests {
    static let document = #"{"Version": 1, "AccessKeyId": "AKIDGROUP", "SecretAccessKey": "S"}"#

    /// Whether `pid` no longer runs (gone, or a zombie nobody reaped yet), waiting up to 2 s.
    static func isGone(_ pid: Int32) async -> Bool {
        for _ in 0..<200 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return true }
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            if state == "Z" || state == "X" { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    static func pid(in file: String) throws -> Int32 {
        let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(Int32(text))
    }

    @Test func aGrandchildHoldingStandardOutputDoesNotMakeTheChainWait() async throws {
        try await withTemporaryDirectory { directory in
            let pidFile = directory + "/grandchild.pid"
            let command = "sleep 30 & echo $! > \(pidFile); echo '\(Self.document)'"
            let source = ProcessCredentialSource(command: command, environment: [:], timeout: .seconds(10))
            let started = ContinuousClock.now
            let credentials = try await source.fetchCredentials()
            // Loose: the alternative is the 10 s timeout or the 30 s sleep, and the unit layer runs in parallel.
            #expect(ContinuousClock.now - started < .seconds(8))
            #expect(credentials.credentials.accessKeyID == "AKIDGROUP")
            let grandchild = try Self.pid(in: pidFile)
            #expect(await Self.isGone(grandchild), "the background job \(grandchild) outlived the command")
        }
    }

    @Test func theWholeGroupIsKilledAtTheTimeout() async throws {
        try await withTemporaryDirectory { directory in
            let pidFile = directory + "/grandchild.pid"
            let command = "sleep 30 & echo $! > \(pidFile); sleep 30"
            let source = ProcessCredentialSource(command: command, environment: [:], timeout: .milliseconds(500))
            let started = ContinuousClock.now
            await #expect {
                try await source.fetchCredentials()
            } throws: { error in
                "\(error)".contains("credential_process sleep did not finish within")
            }
            // Loose: the alternative is the 10 s timeout or the 30 s sleep, and the unit layer runs in parallel.
            #expect(ContinuousClock.now - started < .seconds(8))
            let grandchild = try Self.pid(in: pidFile)
            #expect(await Self.isGone(grandchild), "the background job \(grandchild) outlived the timeout")
        }
    }

    /// The command's exit status still counts once its output has been read.
    @Test func aFailingCommandFailsEvenWithAGrandchildHoldingStandardOutput() async throws {
        let source = ProcessCredentialSource(
            command: "sleep 30 & echo '\(Self.document)'; exit 4", environment: [:], timeout: .seconds(10))
        let started = ContinuousClock.now
        await #expect {
            try await source.fetchCredentials()
        } throws: { error in
            "\(error)".contains("exited with status 4")
        }
        // Loose: the alternative is the 10 s timeout or the 30 s sleep, and the unit layer runs in parallel.
        #expect(ContinuousClock.now - started < .seconds(8))
    }
}
