import HTTPTypes
import Payloads

/// What an `/events` request asks for, checked against its grant: the streams
/// (`streams=aws-metrics,aws-costs`), the accounts and regions (`accounts=`, `regions=`, within
/// the token's), and where to resume (`Last-Event-ID`, or `since=` for clients that cannot set
/// headers). A refusal says which parameter is wrong, with 400, or 403 for what the token does
/// not allow.
struct ServerSentEventsRequest: Sendable, Equatable {
    var streams: [StreamName]
    var targets: TargetFilter
    var resumePoint: StreamPositions.ResumePoint?

    static func parse(
        query: String?, lastEventID: String?, grant: GatewayGrant, maxSubscriptions: Int
    ) -> Result<Self, ClientAuthorization.Refusal> {
        func refuse(_ status: HTTPResponse.Status, _ reason: String) -> Result<Self, ClientAuthorization.Refusal> {
            .failure(.init(status: status, reason: reason))
        }
        let names = (GatewayAuthenticator.queryParameter("streams", in: query) ?? "")
            .split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { return refuse(.badRequest, "name the streams: /events?streams=aws-metrics,aws-costs") }
        let requested: TargetFilter
        switch TargetFilter.request(
            accounts: TargetFilter.split(GatewayAuthenticator.queryParameter("accounts", in: query)),
            regions: TargetFilter.split(GatewayAuthenticator.queryParameter("regions", in: query)))
        {
        case .success(let value): requested = value
        case .failure(let error): return refuse(.badRequest, error.message)
        }
        var subscriptions = ClientSubscriptions(grant: grant, limit: maxSubscriptions)
        var streams: [StreamName] = []
        var targets = TargetFilter.everything
        for name in names {
            guard let stream = StreamName(rawValue: name) else {
                return refuse(.badRequest, ClientProtocolError.unknownStream(name).message)
            }
            guard !streams.contains(stream) else { continue }
            switch subscriptions.admit(stream, requesting: requested) {
            case .success(let value):
                targets = value
            case .failure(let error):
                return refuse(error.code == "forbidden" ? .forbidden : .badRequest, error.message)
            }
            subscriptions.subscribed(stream)
            streams.append(stream)
        }
        // Either form of the SSE event id (`StreamPositions`): positions per stream, or one
        // message id for all. An empty one (a client that has seen no event) resumes nothing.
        let eventID = lastEventID ?? GatewayAuthenticator.queryParameter("since", in: query)
        var resumePoint: StreamPositions.ResumePoint?
        if let eventID, !eventID.isEmpty {
            guard let point = StreamPositions.resumePoint(from: eventID) else {
                return refuse(.badRequest, ClientProtocolError.badLastEventID(eventID).message)
            }
            resumePoint = point
        }
        return .success(Self(streams: streams, targets: targets, resumePoint: resumePoint))
    }
}
