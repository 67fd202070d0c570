/// A failure below HTTP: the request did not produce a response.
///
/// The ``code`` tells the retry layer what happened (``isRetryable``, ``isTimeout``); the ``message``
/// says it for a human and carries the libcurl error text and the host, never a header value.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a closed set of cases callers can compare against.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case connectFailed
            case timedOut
            case connectionReset
            case tls
            case responseTooLarge
            case queueFull
            case invalidRequest
            case shutdown
            case other
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The TCP connection could not be opened (refused, unreachable, name not resolved).
        public static let connectFailed = Code(.connectFailed)
        /// The connect timeout or the total timeout elapsed.
        public static let timedOut = Code(.timedOut)
        /// The connection broke while sending or receiving: reset, closed without a reply, or closed
        /// before the announced body was complete.
        public static let connectionReset = Code(.connectionReset)
        /// TLS failed: handshake error, untrusted or mismatched certificate, unreadable CA file.
        public static let tls = Code(.tls)
        /// The response body exceeded ``CurlTransportConfiguration/maxResponseBytes``.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// ``CurlTransportConfiguration/maxPendingRequests`` requests were already in flight.
        public static let queueFull = Code(.queueFull)
        /// The request cannot be sent as given (bad URL, method or header).
        public static let invalidRequest = Code(.invalidRequest)
        /// The transport was shut down before or while the request ran.
        public static let shutdown = Code(.shutdown)
        /// Anything else libcurl reported.
        public static let other = Code(.other)

        public var description: String {
            switch base {
            case .connectFailed: "connectFailed"
            case .timedOut: "timedOut"
            case .connectionReset: "connectionReset"
            case .tls: "tls"
            case .responseTooLarge: "responseTooLarge"
            case .queueFull: "queueFull"
            case .invalidRequest: "invalidRequest"
            case .shutdown: "shutdown"
            case .other: "other"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation including the libcurl error text and the host.
    public var message: String
    /// The host the request was for, when known.
    public var host: String?
    /// The libcurl result code (`CURLcode`), when the failure came from libcurl.
    public var curlCode: Int?

    /// Whether sending the same request again may succeed: timeouts, resets, connect failures and a
    /// full queue are transient; TLS verification failures, oversized responses and invalid requests
    /// will fail the same way again.
    public var isRetryable: Bool {
        code == .timedOut || code == .connectionReset || code == .connectFailed || code == .queueFull
    }

    /// Whether the failure was a timeout (connect or total).
    public var isTimeout: Bool { code == .timedOut }

    public var description: String { "TransportError(\(code)): \(message)" }
}
