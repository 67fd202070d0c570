import Foundation
import Payloads

/// What the fan-out benchmark's publishers send on `aws-metrics`, in every setup (FanoutGateway's
/// in-process publisher, the product's Redis publish path, nginx + nchan): the envelope's `data`
/// with a sequence number and the publish time in nanoseconds since the epoch (CLOCK_REALTIME),
/// about 200 bytes in all, like a small metrics update. The load client reads `seq` and `sentAt`.
public struct FanoutSample: Codable, Sendable {
    public var seq: Int
    public var sentAt: Int64
    public var namespace = "AWS/EC2"
    public var metric = "CPUUtilization"
    public var value = 42.5

    /// Sample `seq` of lease `epoch`, stamped now, and the wall-clock second it was stamped at.
    public static func envelope(seq: Int, epoch: Int64) -> (envelope: Envelope<FanoutSample>, unixSeconds: Int) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let sample = FanoutSample(seq: seq, sentAt: Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec))
        let envelope = Envelope(
            stream: .metrics, type: "metrics", epoch: epoch, timestamp: Date(), account: "123456789012",
            region: "eu-west-1", data: sample)
        return (envelope, now.tv_sec)
    }
}
