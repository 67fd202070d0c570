import AWSCapture
import AWSCore
import AWSReplay
import Foundation
import Logging
import Synchronization

/// The replay server's responder with two test hooks: it records every request (operation, whether
/// it carries a pagination token), and it can hold the next request of an operation until the test
/// releases it, so a test knows a worker is inside a poll (between two pages, or before a publish)
/// when it kills or stops that worker.
final class ObservedReplayHandler: ReplayRequestHandler {
    struct Request: Sendable {
        var operation: String
        var isNextPage: Bool
    }

    private struct Gate {
        var operation: String
        var nextPageOnly: Bool
        var isHeld = false
        var isReleased = false
    }

    private struct State {
        var requests: [Request] = []
        var gate: Gate?
    }

    private let responder: ReplayResponder
    private let matching: CaptureMatching
    private let state = Mutex(State())
    /// A held request is answered after this at the latest, whatever the test does.
    private let maximumHold: Duration

    init(captures: [Capture], configuration: ReplayConfiguration, logger: Logger, maximumHold: Duration = .seconds(30)) {
        self.responder = ReplayResponder(captures: captures, configuration: configuration, logger: logger)
        self.matching = configuration.matching
        self.maximumHold = maximumHold
    }

    var requests: [Request] { state.withLock { $0.requests } }

    /// Holds the next request of `operation` (only a next-page request, with `nextPageOnly`).
    func hold(_ operation: String, nextPageOnly: Bool = false) {
        state.withLock { $0.gate = Gate(operation: operation, nextPageOnly: nextPageOnly) }
    }

    var isHolding: Bool { state.withLock { $0.gate?.isHeld == true && $0.gate?.isReleased == false } }

    /// Lets the held request (if any) be answered, and disarms the gate.
    func release() {
        state.withLock { $0.gate?.isReleased = true }
    }

    func respond(to request: CapturedRequest) async -> ReplayAction {
        let operation = matching.key(for: request).operationName
        let body = String(decoding: request.body, as: UTF8.self)
        let isNextPage = body.contains("\"NextToken\"") || body.contains("NextToken=")
        let mustHold = state.withLock { state -> Bool in
            state.requests.append(Request(operation: operation, isNextPage: isNextPage))
            guard var gate = state.gate, !gate.isHeld, !gate.isReleased, operation.hasSuffix(gate.operation),
                !gate.nextPageOnly || isNextPage
            else { return false }
            gate.isHeld = true
            state.gate = gate
            return true
        }
        if mustHold {
            let deadline = ContinuousClock.now.advanced(by: maximumHold)
            while !state.withLock({ $0.gate?.isReleased ?? true }), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        return await responder.respond(to: request)
    }
}
