import Foundation
import SigV4

extension AWSClient {
    /// How a request is authenticated.
    public struct Signing: Sendable, Hashable {
        private enum Base: Sendable, Hashable {
            case sigV4, unsigned
        }
        private let base: Base

        /// Signed with SigV4 and the client's credentials (every ordinary call).
        public static let sigV4 = Signing(base: .sigV4)
        /// Sent without credentials or signature: STS `AssumeRoleWithWebIdentity`, whose
        /// authentication is the web identity token in the body.
        public static let unsigned = Signing(base: .unsigned)
    }

    /// Builds the URL, adds `Host`, and signs every header of the request.
    func sign(_ request: AWSOperationRequest, endpoint: AWSEndpoint, credentials: AWSCredentials, date: Date) -> AWSHTTPRequest {
        let signingRequest = SigV4Request(
            method: request.method,
            path: endpoint.pathPrefix + request.path,
            query: request.query.map { SigV4QueryItem($0.name, $0.value) },
            headers: [AWSHTTPHeader("Host", endpoint.host)] + request.headers,
            payload: .bytes(request.body))
        let signed = signer(for: request.service, region: endpoint.signingRegion).sign(
            signingRequest, credentials: credentials, date: date)
        return AWSHTTPRequest(
            method: request.method, url: "\(endpoint.scheme)://\(endpoint.host)" + signed.encodedPathAndQuery,
            headers: signed.headers,
            body: request.body)
    }

    /// The same request without a signature: URL encoded as the signer would, `Host` added.
    func unsignedRequest(_ request: AWSOperationRequest, endpoint: AWSEndpoint) -> AWSHTTPRequest {
        var path = ""
        for segment in (endpoint.pathPrefix + request.path).split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            if segment.offset > 0 { path += "/" }
            path += QueryProtocol.percentEncode(String(segment.element))
        }
        if path.isEmpty { path = "/" }
        if !request.query.isEmpty {
            path += "?" + QueryProtocol.formEncode(request.query.map { ($0.name, $0.value) })
        }
        return AWSHTTPRequest(
            method: request.method, url: "\(endpoint.scheme)://\(endpoint.host)" + path,
            headers: [AWSHTTPHeader("Host", endpoint.host)] + request.headers,
            body: request.body)
    }
}
