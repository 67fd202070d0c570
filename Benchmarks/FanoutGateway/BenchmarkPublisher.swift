import BenchmarkSupport
import Bus
import Foundation
import Logging
import Payloads
import ServiceLifecycle

/// Publishes `rate` envelopes a second on `aws-metrics` (``FanoutSample``: a sequence number and
/// the publish time), on the in-process bus, until shutdown.
struct BenchmarkPublisher: Service {
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
        let bus = self.bus
        // Ends quietly on shutdown: a CancellationError here is the shutdown, not a failure.
        try? await cancelWhenGracefulShutdown {
            var pacer = Pacer(rate: rate)
            var seq = 0
            while !Task.isCancelled {
                seq += 1
                let (envelope, _) = FanoutSample.envelope(seq: seq, epoch: epoch)
                _ = try await bus.publish(try EncodedEnvelope(envelope), to: .metrics, cursor: nil, token: token)
                try await pacer.wait()
            }
        }
    }
}
