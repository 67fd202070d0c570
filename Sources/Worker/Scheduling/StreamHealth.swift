import AWSCore
import Foundation
import Payloads

/// Whether a stream is being delivered: a value each poll loop keeps, moved by its polls'
/// outcomes. A change is published to subscribers (``StreamStateData``), logged once and shown in
/// `/metrics`.
struct StreamHealth: Sendable, Equatable {
    enum State: String, Sendable, CaseIterable {
        /// Polled on schedule.
        case live
        /// The last polls failed with an error that may pass; trying on schedule.
        case degraded
        /// AWS refuses the API to this account; tried again rarely.
        case unavailable
    }

    /// What failed last.
    struct Failure: Sendable, Equatable {
        var operation: String?
        var code: String?
        var message: String
    }

    private(set) var state: State = .live
    private(set) var since: Date?
    private(set) var failure: Failure?
    private(set) var consecutiveFailures = 0

    /// A poll succeeded. Returns whether the state changed.
    mutating func succeeded(at now: Date) -> Bool {
        consecutiveFailures = 0
        failure = nil
        return move(to: .live, at: now)
    }

    /// A poll failed with `error`. Returns whether the state changed (a new failure in the same
    /// state is not a change: it is logged and counted, not published again).
    mutating func failed(_ error: any Error, at now: Date) -> Bool {
        consecutiveFailures += 1
        let aws = (error as? AWSError).map(Self.cause(of:))
        let current = Failure(operation: aws?.operation, code: aws?.code, message: Self.message(error))
        if let aws, Self.isUnavailable(aws) {
            failure = current
            return move(to: .unavailable, at: now)
        }
        // An unavailable stream whose rare retry is throttled or cut stays unavailable, for the
        // reason that made it so.
        if state == .unavailable { return false }
        failure = current
        return move(to: .degraded, at: now)
    }

    private mutating func move(to newState: State, at now: Date) -> Bool {
        guard newState != state || since == nil else { return false }
        let changed = newState != state
        state = newState
        since = now
        return changed
    }

    /// The payload of a `stream-state` envelope for the current state.
    func data(retryAt: Date?) -> StreamStateData {
        StreamStateData(
            state: state.rawValue, since: ISO8601.string(from: since ?? Date(timeIntervalSince1970: 0)),
            operation: state == .live ? nil : failure?.operation, code: state == .live ? nil : failure?.code,
            message: state == .live ? nil : failure.map { String($0.message.prefix(500)) },
            retryAt: state == .unavailable ? retryAt.map(ISO8601.string(from:)) : nil)
    }

    /// AWS error codes that say the account cannot use the API (not that a call failed): the
    /// stream is tried again only rarely. AWS Health without a Business, Enterprise On-Ramp or
    /// Enterprise support plan answers `SubscriptionRequiredException`; Security Hub not enabled
    /// answers `InvalidAccessException`; Cost Explorer not enabled `DataUnavailableException` on
    /// its first day; missing permissions `AccessDenied(Exception)`.
    static let unavailableCodes: Set<String> = [
        "SubscriptionRequiredException", "AccessDeniedException", "AccessDenied", "UnauthorizedOperation",
        "InvalidAccessException", "OptInRequired", "UnrecognizedClientException", "InvalidClientTokenId",
        "UnauthorizedException", "AuthorizationError", "NotSubscribedException",
    ]

    /// The AWS answer behind a credentials error: a role that cannot be assumed fails every call
    /// of its target with a credentials error around STS's own (`AssumeRole`, `AccessDenied`),
    /// which is what the target's state names.
    static func cause(of error: AWSError) -> AWSError {
        guard error.kind == .credentials, var underlying = error.underlying as? AWSError, underlying.kind == .service else {
            return error
        }
        underlying.message = error.message
        return underlying
    }

    static func isUnavailable(_ error: AWSError) -> Bool {
        guard error.kind == .service, let code = error.code else { return false }
        return unavailableCodes.contains(code)
    }

    static func message(_ error: any Error) -> String {
        if let aws = error as? AWSError { return cause(of: aws).message }
        return String(describing: error)
    }
}
