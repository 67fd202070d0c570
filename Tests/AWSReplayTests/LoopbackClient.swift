import AWSCore
import Foundation
import Logging

/// The project's own HTTP path, `CurlTransport`, aimed at a replay server on 127.0.0.1.
/// `cli` is `/usr/bin/curl`, for the few checks that need the bytes on the wire (a partial body).
struct LoopbackClient {
    struct Result {
        var status: Int
        var headers: [AWSHTTPHeader]
        var body: String
        /// Set when the transport threw instead of returning a response.
        var failure: TransportError?

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    var port: Int
    var transport: CurlTransport
    var cli: LoopbackCurl { LoopbackCurl(port: port) }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    func send(
        _ method: String = "POST",
        path: String = "/",
        headers: [(String, String)] = [],
        body: String = "",
        timeout: Duration? = nil
    ) async throws -> Result {
        let request = AWSHTTPRequest(
            method: method,
            url: endpoint + path,
            headers: headers.map { AWSHTTPHeader($0.0, $0.1) },
            body: Array(body.utf8)
        )
        do {
            let response: AWSHTTPResponse
            if let timeout {
                var configuration = CurlTransportConfiguration()
                configuration.totalTimeout = timeout
                response = try await withCurlTransport(configuration: configuration, logger: Fixtures.logger) {
                    try await $0.send(request)
                }
            } else {
                response = try await transport.send(request)
            }
            return Result(
                status: response.status, headers: response.headers, body: String(decoding: response.body, as: UTF8.self))
        } catch let error as TransportError {
            return Result(status: 0, headers: [], body: "", failure: error)
        }
    }
}
