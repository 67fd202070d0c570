/// Every failure of an AWS call: an error AWS answered with, a transport failure, a response we
/// could not read, missing credentials, bad configuration or bad input.
///
/// The description names the service, the operation and AWS's error code, so a log line says
/// which API refused what. It never contains credentials, signatures or tokens.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case service, transport, malformedResponse, credentials, configuration, invalidInput, limitExceeded
        }
        private let base: Base

        /// AWS answered with an error (see `code`).
        public static let service = Kind(base: .service)
        /// The request did not get an HTTP response (see `underlying`).
        public static let transport = Kind(base: .transport)
        /// AWS answered, but the body could not be read.
        public static let malformedResponse = Kind(base: .malformedResponse)
        /// No usable credentials.
        public static let credentials = Kind(base: .credentials)
        /// A configuration value is missing or wrong (see `configurationKey`).
        public static let configuration = Kind(base: .configuration)
        /// The caller's input cannot be serialized for this operation.
        public static let invalidInput = Kind(base: .invalidInput)
        /// A client-side bound was reached (for example the most pages one paginated call may read).
        public static let limitExceeded = Kind(base: .limitExceeded)

        public var description: String { base.rawValue }
    }

    public var kind: Kind
    /// The service as the AWS CLI names it (`cloudwatch`, `logs`, ...).
    public var service: String?
    public var operation: String?
    /// AWS's error code (`ThrottlingException`, `AccessDenied`, ...), for `.service` errors.
    public var code: String?
    public var message: String
    public var requestID: String?
    public var httpStatus: Int?
    /// The environment variable or configuration key at fault, for `.configuration` errors.
    public var configurationKey: String?
    public var isRetryable: Bool
    public var underlying: (any Error & Sendable)?

    public init(
        kind: Kind,
        service: String? = nil,
        operation: String? = nil,
        code: String? = nil,
        message: String,
        requestID: String? = nil,
        httpStatus: Int? = nil,
        configurationKey: String? = nil,
        isRetryable: Bool = false,
        underlying: (any Error & Sendable)? = nil
    ) {
        self.kind = kind
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        self.requestID = requestID
        self.httpStatus = httpStatus
        self.configurationKey = configurationKey
        self.isRetryable = isRetryable
        self.underlying = underlying
    }

    public var description: String {
        var parts: [String] = []
        if let service { parts.append(operation.map { "\(service) \($0)" } ?? service) }
        if let code { parts.append(code) }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        var text = parts.isEmpty ? "" : parts.joined(separator: " ") + ": "
        text += message
        if let configurationKey { text += " (\(configurationKey))" }
        if let requestID { text += " [request id \(requestID)]" }
        if let underlying, kind == .transport { text += ": \(underlying)" }
        return text
    }

    static func malformedResponse(_ message: String) -> AWSError {
        AWSError(kind: .malformedResponse, message: message)
    }

    static func configuration(_ message: String, key: String) -> AWSError {
        AWSError(kind: .configuration, message: message, configurationKey: key)
    }

    static func invalidInput(_ message: String) -> AWSError {
        AWSError(kind: .invalidInput, message: message)
    }

    /// The same error, with the call it belongs to filled in where it was not yet.
    func within(service: String, operation: String) -> AWSError {
        var copy = self
        if copy.service == nil { copy.service = service }
        if copy.operation == nil { copy.operation = operation }
        return copy
    }
}
