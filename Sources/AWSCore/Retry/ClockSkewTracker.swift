import Foundation
import Synchronization

/// Learns how far each host's clock is from ours, from the `Date` header of responses that
/// failed for skew, and corrects the signing time for that host. Offsets under the threshold
/// (300 s, as the AWS SDKs) are ignored; AWS accepts requests within 5 minutes.
public final class ClockSkewTracker: Sendable {
    private let offsets = Mutex<[String: TimeInterval]>([:])
    public let threshold: TimeInterval

    public init(threshold: TimeInterval = 300) {
        self.threshold = threshold
    }

    /// The signing time for `host`: our clock plus the host's learned offset.
    public func correctedDate(_ now: Date, host: String) -> Date {
        now.addingTimeInterval(offsets.withLock { $0[host] ?? 0 })
    }

    public func offset(for host: String) -> TimeInterval {
        offsets.withLock { $0[host] ?? 0 }
    }

    /// Records the host's clock from a response `Date` header. Returns true when the learned
    /// offset changed, so a re-signed attempt is worth making.
    @discardableResult
    public func learn(serverDate header: String?, now: Date, host: String) -> Bool {
        guard let header, let serverDate = Self.parseHTTPDate(header) else { return false }
        let skew = serverDate.timeIntervalSince(now)
        return offsets.withLock { offsets in
            let previous = offsets[host] ?? 0
            guard abs(skew) > threshold else {
                offsets[host] = nil
                return previous != 0
            }
            offsets[host] = skew
            return abs(skew - previous) > 1
        }
    }

    /// Whether the header shows a skew beyond the threshold.
    public func showsSkew(serverDate header: String?, now: Date) -> Bool {
        guard let header, let serverDate = Self.parseHTTPDate(header) else { return false }
        return abs(serverDate.timeIntervalSince(now)) > threshold
    }

    /// RFC 7231 IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
