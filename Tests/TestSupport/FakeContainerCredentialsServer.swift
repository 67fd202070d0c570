import Synchronization

/// The ECS / EKS Pod Identity credentials endpoint, for `withHTTPTestServer(handler: server.handle)`:
/// `GET <path>` with `Authorization: <expectedToken>` (when one is expected) answers
/// `credentialsJSON()`; a wrong or missing token is 401, another path 404.
public final class FakeContainerCredentialsServer: Sendable {
    public let path: String
    public let expectedToken: String?
    private let credentialsJSON: @Sendable () -> String
    private let state = Mutex((served: 0, refused: 0))

    public init(
        path: String = "/v2/credentials/task", expectedToken: String? = nil, credentialsJSON: @escaping @Sendable () -> String
    ) {
        self.path = path
        self.expectedToken = expectedToken
        self.credentialsJSON = credentialsJSON
    }

    public var servedRequests: Int { state.withLock { $0.served } }
    public var refusedRequests: Int { state.withLock { $0.refused } }

    public func handle(_ request: RecordedRequest) async -> ScriptedResponse {
        guard request.method == "GET", request.uri == path else { return .respond(status: 404, body: "") }
        if let expectedToken, request.header("Authorization") != expectedToken {
            state.withLock { $0.refused += 1 }
            return .respond(status: 401, body: #"{"code":"AccessDenied","message":"Invalid authorization token"}"#)
        }
        state.withLock { $0.served += 1 }
        return .respond(headers: [("Content-Type", "application/json")], body: credentialsJSON())
    }
}
