import AWSCore
import ArgumentParser
import Foundation
import Logging

/// `aws-realtime healthcheck [--url URL]`: one GET of a server's `/health`; exits 0 on a 2xx
/// answer, 1 with a one-line reason otherwise. The Docker image's `HEALTHCHECK`, so the runtime
/// image needs no curl.
struct HealthcheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 if a local aws-realtime server answers /health with 2xx (the container health check).",
        discussion: """
            Without --url: http://127.0.0.1:$PORT/health when PORT is set; otherwise the gateway's
            http://127.0.0.1:8080/health, then, if nothing listens there, the worker's http://127.0.0.1:9090/health.
            So one HEALTHCHECK serves whichever role the image runs.
            """
    )

    @Option(help: "The URL to GET (http or https).")
    var url: String?

    @Option(help: "Seconds to wait for connecting and for the whole answer.")
    var timeout: Int = 3

    func validate() throws {
        guard (1...300).contains(timeout) else { throw ValidationError("--timeout \(timeout) must be 1 to 300 seconds") }
        if let url, !Self.isHTTP(url) {
            throw ValidationError("--url '\(url)' must be an http:// or https:// URL")
        }
    }

    func run() async throws {
        let candidates = try Self.candidateURLs(explicit: url, environment: ProcessInfo.processInfo.environment)
        var logger = Logger(label: "aws-realtime.healthcheck")
        logger.logLevel = .critical
        let configuration = CurlTransportConfiguration(
            connectTimeout: .seconds(timeout), totalTimeout: .seconds(timeout), maxResponseBytes: 64 * 1024,
            maxConnections: 1, maxConnectionsPerHost: 1, maxPendingRequests: 1, userAgent: "aws-realtime-healthcheck")
        let outcome = try await withCurlTransport(configuration: configuration, logger: logger) { transport in
            await Self.probe(candidates, transport: transport)
        }
        switch outcome {
        case .healthy(let url, let status):
            print("healthy: \(url) answered \(status)")
        case .unhealthy(let reason):
            FileHandle.standardError.write(Data("unhealthy: \(reason)\n".utf8))
            throw ExitCode.failure
        }
    }

    enum Outcome: Equatable {
        case healthy(url: String, status: Int)
        case unhealthy(String)
    }

    /// GETs each URL in turn; moves to the next only when it cannot connect to one.
    static func probe(_ urls: [String], transport: any Transport) async -> Outcome {
        var reason = "no URL to probe"
        for url in urls {
            do {
                let response = try await transport.send(AWSHTTPRequest(method: "GET", url: url))
                if (200..<300).contains(response.status) { return .healthy(url: url, status: response.status) }
                let body =
                    String(decoding: response.body.prefix(200), as: UTF8.self)
                    .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
                return .unhealthy("\(url) answered \(response.status)\(body.isEmpty ? "" : ": \(body)")")
            } catch let error as TransportError where error.code == .connectFailed {
                reason = "\(url): cannot connect (\(error.message))"
            } catch let error as TransportError {
                return .unhealthy("\(url): \(error.message)")
            } catch {
                return .unhealthy("\(url): \(error)")
            }
        }
        return .unhealthy(reason)
    }

    static func candidateURLs(explicit: String?, environment: [String: String]) throws -> [String] {
        if let explicit { return [explicit] }
        if let text = environment["PORT"], !text.isEmpty {
            guard let port = Int(text), (1...65535).contains(port) else {
                throw ValidationError("PORT '\(text)' is not a port number; pass --url instead")
            }
            return ["http://127.0.0.1:\(port)/health"]
        }
        return ["http://127.0.0.1:8080/health", "http://127.0.0.1:9090/health"]
    }

    static func isHTTP(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            components.host?.isEmpty == false
        else { return false }
        return scheme == "http" || scheme == "https"
    }
}
