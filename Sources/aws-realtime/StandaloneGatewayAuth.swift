import ArgumentParser
import Bus
import Foundation
import Gateway
import Logging

/// Who may read a standalone instance, and on which address. Standalone is the local, first-run
/// mode, so it serves anonymously when that exposes nothing: on a loopback address, or when the
/// data is the demo. A configured JWT key (`GATEWAY_JWT_SECRET`, `GATEWAY_JWT_PUBLIC_KEY_FILE`)
/// means tokens are required, as in `gateway`.
///
/// Real AWS data without a key is never served to the network anonymously by default: without
/// `--host` the instance then listens on 127.0.0.1 only (and says so), so the README's first
/// command still works with credentials; an explicit non-loopback `--host` is refused at start,
/// naming the ways out. `--allow-anonymous` is the explicit choice to serve anyone.
enum StandaloneGatewayAuth {
    static let defaultHost = "0.0.0.0"

    /// - Parameter host: `--host`, nil when not given.
    static func configuration(
        environment: [String: String], host: String?, port: Int, allowAnonymous: Bool, isDemo: Bool, logger: Logger
    ) async throws -> GatewayConfiguration {
        let keyVariables = GatewayConfiguration.configuredKeyVariables(in: environment)
        let hasKey = !keyVariables.isEmpty
        var address = host ?? defaultHost
        let anonymous: Bool
        let reason: String
        if allowAnonymous {
            (anonymous, reason) = (true, "--allow-anonymous")
        } else if hasKey {
            (anonymous, reason) = (false, "a JWT key is configured")
        } else if isLoopback(address) {
            (anonymous, reason) = (true, "loopback address")
        } else if isDemo {
            (anonymous, reason) = (true, "demo data")
        } else if host == nil {
            address = "127.0.0.1"
            (anonymous, reason) = (true, "real AWS data and no JWT key: loopback only")
            logger.notice(
                "Listening on 127.0.0.1 only: this is real AWS data and no JWT key is set; set GATEWAY_JWT_SECRET, or pass --allow-anonymous, to serve other machines",
                metadata: ["gateway.port": "\(port)"])
        } else {
            throw ValidationError(
                "standalone would serve this AWS account's data on \(address):\(port) to anyone, without a token: set "
                    + "GATEWAY_JWT_SECRET (32 bytes or more) or GATEWAY_JWT_PUBLIC_KEY_FILE, bind --host 127.0.0.1, or pass "
                    + "--allow-anonymous")
        }
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration.fromEnvironment(
                environment, base: GatewayConfiguration(host: address, port: port), allowAnonymous: anonymous,
                readFile: { try String(contentsOfFile: $0, encoding: .utf8) })
            try await Gateway<InProcessSubscriber>.validate(configuration)
        } catch let error as GatewayError {
            throw ValidationError(error.description)
        }
        if allowAnonymous, hasKey {
            logger.warning(
                "--allow-anonymous overrides the configured JWT key: every client reads every stream without a token",
                metadata: [
                    "gateway.auth": "\(configuration.auth.mode)",
                    "gateway.auth.ignored": "\(keyVariables.joined(separator: ","))",
                ])
        }
        logger.info(
            anonymous ? "Serving clients without a token" : "Clients need a token",
            metadata: ["gateway.auth": "\(configuration.auth.mode)", "gateway.auth.reason": "\(reason)"])
        if anonymous, isLoopback(address) {
            logger.info(
                "Answering only requests for localhost, 127.x.y.z or [::1] (DNS rebinding protection); list other host names in GATEWAY_ALLOWED_HOSTS",
                metadata: ["gateway.host": "\(address)"])
        } else if anonymous {
            logger.notice(
                "Anyone who can reach this address reads the streams; set GATEWAY_JWT_SECRET or bind --host 127.0.0.1 to restrict it, and GATEWAY_ALLOWED_HOSTS to refuse pages that rebind a DNS name to it",
                metadata: ["gateway.host": "\(address)"])
        }
        return configuration
    }

    /// Loopback by the parsed address (127.0.0.0/8, ::1, `localhost`): `127.attacker.example` is not.
    static func isLoopback(_ host: String) -> Bool { GatewayConfiguration.isLoopback(address: host) }
}
