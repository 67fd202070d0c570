import Synchronization

/// EC2 instance metadata with IMDSv2's token rules, for `withHTTPTestServer(handler: imds.handle)`:
///
/// - `PUT /latest/api/token` needs `X-aws-ec2-metadata-token-ttl-seconds` (1...21600), else 400;
///   any other method on it is 405.
/// - Every `GET` needs a token it issued in `X-aws-ec2-metadata-token`, else 401.
/// - `GET /latest/meta-data/iam/security-credentials/` lists the role; `.../<role>` answers
///   `credentialsJSON()`; anything else is 404.
public final class FakeInstanceMetadataServer: Sendable {
    public let role: String?
    private let credentialsJSON: @Sendable () -> String
    private let state = Mutex(State())

    struct State {
        var issuedTokens: [String] = []
        var tokenRequests = 0
        var credentialRequests = 0
        var rejected = 0
    }

    /// `role: nil` is an instance without an IAM role (the listing answers 404).
    public init(role: String? = "worker-role", credentialsJSON: @escaping @Sendable () -> String) {
        self.role = role
        self.credentialsJSON = credentialsJSON
    }

    public var tokenRequests: Int { state.withLock { $0.tokenRequests } }
    public var credentialRequests: Int { state.withLock { $0.credentialRequests } }
    /// Requests refused with 400, 401 or 405.
    public var rejectedRequests: Int { state.withLock { $0.rejected } }

    public func handle(_ request: RecordedRequest) async -> ScriptedResponse {
        let path = request.uri.split(separator: "?").first.map(String.init) ?? request.uri
        if path == "/latest/api/token" {
            guard request.method == "PUT" else { return reject(405) }
            guard let ttl = request.header("X-aws-ec2-metadata-token-ttl-seconds").flatMap(Int.init), (1...21600).contains(ttl)
            else {
                return reject(400)
            }
            let token = state.withLock { state in
                state.tokenRequests += 1
                let token = "imds-token-\(state.tokenRequests)"
                state.issuedTokens.append(token)
                return token
            }
            return .respond(headers: [("X-aws-ec2-metadata-token-ttl-seconds", String(ttl))], body: token)
        }
        guard request.method == "GET" else { return reject(405) }
        guard let token = request.header("X-aws-ec2-metadata-token"), state.withLock({ $0.issuedTokens.contains(token) }) else {
            return reject(401)
        }
        let prefix = "/latest/meta-data/iam/security-credentials/"
        guard let role else { return .respond(status: 404, body: "") }
        if path == prefix { return .respond(body: role) }
        if path == prefix + role {
            state.withLock { $0.credentialRequests += 1 }
            return .respond(headers: [("Content-Type", "text/plain")], body: credentialsJSON())
        }
        return .respond(status: 404, body: "")
    }

    private func reject(_ status: Int) -> ScriptedResponse {
        state.withLock { $0.rejected += 1 }
        return .respond(status: status, body: "")
    }
}
