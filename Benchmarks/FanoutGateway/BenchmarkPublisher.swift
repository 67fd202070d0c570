import Bus
import Foundation
import Logging
import Payloads
import ServiceLifecycle

/// Publishes `rate` envelopes a second on `aws-metrics`, each with its publish
/// time in nanoseconds since the epoch (`data.sentAt`) and a sequence number (`data.seq`), about
/// 200 bytes in all, like a small metrics update.
struct BenchmarkPublisher: Service {
    struct Sample: Codable, Sendable {
        var seq: Int
        var sentAt: Int64
        var namespace = "AWS/EC2"
        var metric = "CPUUtilization"
        var value = 42.5
    }

    let bus: InProcessBus
    let rate: Int
    let logger: Logger

    func run() async throws {
        guard rate > 0 else {
            try? await gracefulShutdown()
            return
        }
        let token = "benchmark"
        guard let epoch = try await bus.acquireLease(token: token, ttl: .seconds(86_400)) else { return }
        let period = Duration.nanoseconds(1_000_000_000 / Int64(rate))
        let bus = self.bus
        // Ends quietly on shutdown: a CancellationError here is the shutdown, not a failure.
        try? await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var next = clock.now
            var seq = 0
            while !Task.isCancelled {
                seq += 1
                var now = timespec()
                clock_gettime(CLOCK_REALTIME, &now)
                let sample = Sample(seq: seq, sentAt: Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec))
                let envelope = Envelope(
                    stream: .metrics, type: "metrics", epoch: epoch, timestamp: Date(), account: "123456789012",
                    region: "eu-west-1",
                    data: sample)
                _ = try await bus.publish(try EncodedEnvelope(envelope), to: .metrics, cursor: nil, token: token)
                next = next.advanced(by: period)
                if next > clock.now {
                    try await Task.sleep(until: next, clock: clock)
                } else if clock.now - next > .seconds(1) {
                    next = clock.now  // fell far behind: do not burst to catch up
                }
            }
        }
    }
}
