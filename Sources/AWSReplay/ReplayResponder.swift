import AWSCapture
import AWSCore
import Foundation
import Logging

/// Decides the answer to each request: signature check, then the fault schedule, then the captures.
/// Independent of sockets, so its rules are tested without a server.
public actor ReplayResponder: ReplayRequestHandler {
    public let configuration: ReplayConfiguration
    public let replayer: CaptureReplayer
    private var planner: ReplayFaultPlanner
    private let logger: Logger

    /// Headers a capture cannot dictate: the server frames the body itself.
    static let framingHeaders: Set<String> = [
        "content-length", "transfer-encoding", "connection", "keep-alive", "date", "content-encoding",
    ]

    public init(captures: [Capture], configuration: ReplayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.replayer = CaptureReplayer(
            captures: captures, matching: configuration.matching, exhaustion: configuration.exhaustion)
        self.planner = ReplayFaultPlanner(schedule: configuration.faults)
        self.logger = logger
    }

    public func respond(to request: CapturedRequest) async -> ReplayAction {
        let wire = CaptureWireProtocol(request: request)
        let key = configuration.matching.key(for: request)
        var metadata: Logger.Metadata = [
            "http.method": "\(key.method)", "http.path": "\(key.path)", "aws.operation": "\(key.operationName)",
        ]

        if configuration.requiresSignature,
            let problem = ReplaySignatureCheck.problem(authorization: request.header("Authorization"))
        {
            let suffix = wire == .awsQuery ? "" : "Exception"
            let code = (problem.isMissing ? "MissingAuthenticationToken" : "IncompleteSignature") + suffix
            logger.info(
                "replay refused an unsigned request", metadata: metadata.merging(["replay.reason": "\(problem.message)"]) { $1 })
            let error = CaptureErrorResponse(status: 403, code: code, message: problem.message)
            return .respond(finish(error.response(for: wire, request: request), dateOffset: 0), delay: .zero)
        }

        let fault = planner.fault(for: key)
        if let fault {
            metadata["replay.fault"] = "\(fault.kind.rawValue)"
            logger.debug("replay injects a fault", metadata: metadata)
            let now = Int(configuration.wallClock().timeIntervalSince1970)
            let serverTime = HTTPDate.amzDate(epochSeconds: now + (fault.kind == .skewedDate ? fault.skewSeconds : 0))
            if let error = fault.errorResponse(for: wire, amzDate: request.header("X-Amz-Date"), serverTime: serverTime) {
                let offset = fault.kind == .skewedDate ? fault.skewSeconds : 0
                return .respond(finish(error.response(for: wire, request: request), dateOffset: offset), delay: .zero)
            }
            if fault.kind == .reset { return .reset }
        }

        switch await replayer.answer(request, consume: fault?.kind != .truncatedBody) {
        case .unmatched(let mismatch):
            logger.info(
                "replay has no capture for a request", metadata: metadata.merging(["replay.mismatch": "\(mismatch)"]) { $1 })
            return .respond(finish(mismatch.errorResponse(for: request), dateOffset: 0), delay: .zero)
        case .matched(let capture, let position, let count):
            metadata["replay.capture"] = "\(capture.name)"
            metadata["replay.position"] = "\(position)/\(count)"
            logger.debug("replay serves a capture", metadata: metadata)
            guard let captured = capture.response else { return .reset }
            let response = finish(captured, dateOffset: 0)
            switch fault?.kind {
            case .slowFirstByte?:
                return .respond(response, delay: .milliseconds(fault?.delayMilliseconds ?? 0))
            case .truncatedBody?:
                let half = response.body.count / 2
                let sendBytes = min(max(0, fault?.sendBytes ?? half), max(0, response.body.count - 1))
                return .truncate(response, sendBytes: sendBytes)
            default:
                return .respond(response, delay: .zero)
            }
        }
    }

    /// Drops framing headers the capture carried and sets `Date` (now, plus `dateOffset` seconds)
    /// and `Content-Length` for the body actually sent.
    func finish(_ response: AWSHTTPResponse, dateOffset: Int) -> AWSHTTPResponse {
        Self.finish(response, now: configuration.wallClock(), dateOffset: dateOffset)
    }

    static func finish(_ response: AWSHTTPResponse, now date: Date, dateOffset: Int) -> AWSHTTPResponse {
        var headers = response.headers.filter { !framingHeaders.contains($0.name.lowercased()) }
        let now = Int(date.timeIntervalSince1970) + dateOffset
        headers.append(AWSHTTPHeader("Date", HTTPDate.imfFixdate(epochSeconds: now)))
        headers.append(AWSHTTPHeader("Content-Length", String(response.body.count)))
        return AWSHTTPResponse(status: response.status, headers: headers, body: response.body)
    }
}
