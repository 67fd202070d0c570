import AWSCapture
import AWSCore
import Foundation

/// Everything the replay server needs besides its captures; every field has a default.
public struct ReplayConfiguration: Sendable {
    /// Bounds on what one client can make the server hold. (Request heads are bounded by
    /// NIOHTTP1's parser, 80 KiB.)
    public struct Limits: Sendable {
        /// Larger request bodies get 413 and the connection is closed.
        public var maximumRequestBodyBytes = 1024 * 1024
        /// Connections beyond this are closed as soon as they are accepted.
        public var maximumConnections = 64
        /// A connection that sends nothing for this long is closed.
        public var idleTimeout: Duration = .seconds(30)
        /// After this many requests a connection is closed (`Connection: close` on the last answer).
        public var maximumRequestsPerConnection = 1000

        public init() {}
    }

    /// Loopback by default; the server is a test fixture, not a service.
    public var host = "127.0.0.1"
    /// 0 picks a free port; the bound one is reported to `withServer`'s body and `run`'s callback.
    public var port = 0
    /// Check that every request carries a well-formed SigV4 `Authorization` header (403 otherwise).
    public var requiresSignature = false
    public var matching = CaptureMatching()
    public var exhaustion = CaptureExhaustion.repeatLast
    public var faults = ReplayFaultSchedule.none
    public var limits = Limits()
    /// The wall clock for `Date` headers (replaced in tests).
    public var wallClock: @Sendable () -> Date = { Date() }

    public init() {}
}
