import ArgumentParser
import Bus
import Foundation
import Gateway
import Logging

/// Who may read a standalone instance. Standalone is the local, first-run mode, so it serves
/// anonymously when that exposes nothing: on a loopback address, or when the data is the demo.
/// A configured JWT key (`GATEWAY_JWT_SECRET`, `GATEWAY_JWT_PUBLIC_KEY_FILE`) means tokens are
/// required, as in `gateway`. Real AWS data on a reachable address without a key is refused at
/// start, naming the three ways out; `--allow-anonymous` is the explicit one.
enum StandaloneGatewayAuth {
    static func configuration(
        environment: [String: String], host: String, port: Int, allowAnonymous: Bool, isDemo: Bool, logger: Logger
    ) async throws -> GatewayConfiguration {
        let hasKey = ["GATEWAY_JWT_SECRET", "GATEWAY_JWT_PUBLIC_KEY_FILE"].contains { !(environment[$0] ?? "").isEmpty }
        let isLoopback = isLoopback(host)
        let anonymous = allowAnonymous || (!hasKey && (isLoopback || isDemo))
        if !anonymous, !hasKey {
            throw ValidationError(
                "standalone would serve this AWS account's data on \(host):\(port) to anyone, without a token: set "
                    + "GATEWAY_JWT_SECRET (32 bytes or more) or GATEWAY_JWT_PUBLIC_KEY_FILE, bind --host 127.0.0.1, or pass "
                    + "--allow-anonymous")
        }
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration.fromEnvironment(
                environment, base: GatewayConfiguration(host: host, port: port), allowAnonymous: anonymous,
                readFile: { try String(contentsOfFile: $0, encoding: .utf8) })
            try await Gateway<InProcessSubscriber>.validate(configuration)
        } catch let error as GatewayError {
            throw ValidationError(error.description)
        }
        let reason =
            allowAnonymous
            ? "--allow-anonymous" : hasKey ? "a JWT key is configured" : isLoopback ? "loopback address" : "demo data, no key"
        logger.info(
            anonymous ? "Serving clients without a token" : "Clients need a token",
            metadata: ["gateway.auth": "\(anonymous ? "anonymous" : "jwt")", "gateway.auth.reason": "\(reason)"])
        if anonymous, !isLoopback {
            logger.notice(
                "Anyone who can reach this address reads the streams; set GATEWAY_JWT_SECRET or bind --host 127.0.0.1 to restrict it",
                metadata: ["gateway.host": "\(host)"])
        }
        return configuration
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
