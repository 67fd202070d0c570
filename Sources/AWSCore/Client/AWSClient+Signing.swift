import Foundation
import SigV4

extension AWSClient {
    /// Builds the URL, adds `Host`, and signs every header of the request.
    func sign(_ request: AWSOperationRequest, endpoint: AWSEndpoint, credentials: AWSCredentials, date: Date) -> AWSHTTPRequest {
        var headers = [SigV4Header("Host", endpoint.host)]
        headers += request.headers.map { SigV4Header($0.name, $0.value) }
        let signingRequest = SigV4Request(
            method: request.method,
            path: endpoint.pathPrefix + request.path,
            query: request.query.map { SigV4QueryItem($0.name, $0.value) },
            headers: headers,
            payload: .bytes(request.body))
        let signed = signer(for: request.service, region: endpoint.signingRegion).sign(signingRequest, credentials: credentials, date: date)
        return AWSHTTPRequest(
            method: request.method, url: "\(endpoint.scheme)://\(endpoint.host)" + signed.encodedPathAndQuery,
            headers: signed.headers.map { AWSHTTPHeader($0.name, $0.value) },
            body: request.body)
    }
}
