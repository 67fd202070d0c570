import Foundation
import TestSupport
import Testing

/// `--port` and `PORT`, read the same way by every command that listens. The gateway used to take
/// any `--port`: 70000 listened on 4464 (70000 mod 65536) without a word.
@Suite(
    .timeLimit(.minutes(1)), .enabled(if: AWSRealtimeExecutable.isBuilt, "build the aws-realtime executable first"),
    .tags(.integration))
struct ListenPortTests {
    @Test(arguments: [
        (["gateway", "--bus", "in-process", "--allow-anonymous", "--port", "70000"], [:], "--port 70000 is not a port number"),
        (["gateway", "--bus", "in-process", "--allow-anonymous", "--port=-1"], [:], "--port -1 is not a port number"),
        (["gateway", "--bus", "in-process", "--allow-anonymous"], ["PORT": "http"], "PORT 'http' is not a port number"),
        (["worker", "--port", "65536"], [:], "--port 65536 is not a port number"),
        (["standalone", "--port", "99999"], [:], "--port 99999 is not a port number"),
        (["standalone"], ["PORT": "65536"], "PORT '65536' is not a port number"),
    ])
    func aPortOutsideTheRangeIsAUsageErrorSayingWhereItCameFrom(
        arguments: [String], environment: [String: String], message: String
    ) async throws {
        let result = try await AWSRealtimeExecutable.run(
            arguments, environment: environment.merging(["HOME": "/nonexistent"]) { a, _ in a })
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains(message), "\(result)")
    }
}
