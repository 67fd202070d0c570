import AWSCapture
import AWSCore

/// Decides what the server does with one complete request. ``ReplayResponder`` answers from
/// captures; ``RecordingProxy`` forwards upstream and records.
public protocol ReplayRequestHandler: Sendable {
    func respond(to request: CapturedRequest) async -> ReplayAction
}
