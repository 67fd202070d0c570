import Foundation
import TestSupport
import Testing

/// A real `aws-realtime gateway` process (the built binary) against clients that send pings as
/// fast as they can and never read, on `/ws` and on the Engine.IO WebSocket: its resident
/// memory stays within a small bound, the flooders are closed, and another client is served
/// meanwhile. Everything on 127.0.0.1; the flood lasts at most 3 s a client.
@Suite(
    .serialized, .timeLimit(.minutes(2)),
    .enabled(if: StandaloneProcess.isBuilt, "build the aws-realtime executable first (swift build)"),
    .tags(.integration))
struct PingFloodProcessTests {
    /// The growth of the gateway's resident memory allowed while it is flooded (it grew by
    /// gigabytes when every pong was queued).
    static let maxGrowthMiB = 48.0

    @Test func aPingFloodThatNeverReadsIsClosedWithoutGrowingTheGatewaysMemory() async throws {
        let (server, port) = try StandaloneProcess.startInProcessGateway()
        defer { server.forceKill() }
        #expect(try await StandaloneProcessTests.health(port: port, timeout: .seconds(30)), "\(server.log())")
        let pid = server.process.processIdentifier
        let before = try #require(Self.residentMiB(pid: pid))

        let paths = ["/ws", "/ws", "/socket.io/?EIO=4&transport=websocket", "/socket.io/?EIO=4&transport=websocket"]
        let floods = try paths.map { try ScriptedClient("ping_flood_client", ["127.0.0.1", "\(port)", $0, "3", "20000000"]) }
        let other = try ScriptedClient("ws_client", ["ws://127.0.0.1:\(port)/ws", "send:{\"op\":\"ping\"}", "until:pong"])

        var peak = before
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while floods.contains(where: { $0.process.isRunning }), ContinuousClock.now < deadline {
            peak = max(peak, Self.residentMiB(pid: pid) ?? peak)
            try await Task.sleep(for: .milliseconds(50))
        }
        for flood in floods { try await flood.waitForExit(timeout: .seconds(5)) }
        try await other.waitForExit()
        let after = try #require(Self.residentMiB(pid: pid))
        print(
            "ping flood: gateway RSS \(Int(before)) MiB before, peak \(Int(peak)) MiB, \(Int(after)) MiB after; clients: "
                + floods.map { "\($0.lines().first ?? [:])" }.joined(separator: ", "))

        #expect(peak - before < Self.maxGrowthMiB, "RSS \(before) -> peak \(peak) MiB")
        for flood in floods {
            let result = try #require(flood.lines().first, "\(server.log())")
            #expect(result["closed"] as? Bool == true, "the server closes a flooder: \(result)")
        }
        #expect(other.received().contains("{\"op\":\"pong\"}"), "another client is served meanwhile: \(other.lines())")
        #expect(try await StandaloneProcessTests.health(port: port, timeout: .seconds(5)))
        #expect(try await server.terminate(timeout: .seconds(30)) == 0, "\(server.log())")
    }

    /// `VmRSS` of /proc/PID/status, in MiB.
    static func residentMiB(pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }
}
