import Foundation
import Logging
import SigV4
import Synchronization

/// Signs, sends and retries AWS calls: the one path every service client goes through.
///
/// Each attempt asks the credential provider for credentials, resolves the endpoint, signs with
/// the host's skew-corrected clock and sends through the transport. Failures are retried in the
/// SDKs' standard mode (see ``AWSRetryConfiguration``); a skewed clock is learned from the
/// response and the request re-signed once; an expired token refreshes the credentials once.
public final class AWSClient: Sendable {
    public let region: String
    private let transport: any Transport
    private let credentialProvider: any CredentialProvider
    private let endpoints: AWSEndpointResolver
    private let retry: AWSRetryConfiguration
    private let quota: AWSRetryQuota
    private let skew: ClockSkewTracker
    private let now: @Sendable () -> Date
    private let random: @Sendable () -> Double
    private let signers = Mutex<[String: SigV4Signer]>([:])
    private let logger: Logger

    public init(
        region: String,
        transport: any Transport,
        credentialProvider: any CredentialProvider,
        endpoints: AWSEndpointResolver,
        retry: AWSRetryConfiguration = AWSRetryConfiguration(),
        skew: ClockSkewTracker = ClockSkewTracker(),
        now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger
    ) {
        self.region = region
        self.transport = transport
        self.credentialProvider = credentialProvider
        self.endpoints = endpoints
        self.retry = retry
        self.quota = AWSRetryQuota(capacity: retry.quotaCapacity)
        self.skew = skew
        self.now = now
        self.random = random
        self.logger = logger
    }

    /// Tokens left in the retry quota.
    public var retryTokensAvailable: Int { quota.available }

    /// Lays out `input` for `operation` by the service's wire protocol.
    public static func operationRequest(
        service: AWSService, operation: String, input: JSONValue
    ) throws(AWSError) -> AWSOperationRequest {
        switch service.wireProtocol {
        case .query(let apiVersion):
            return try QueryProtocol.request(service: service, apiVersion: apiVersion, operation: operation, input: input)
        case .json(let version, let targetPrefix):
            return try JSONProtocol.request(
                service: service, version: version, targetPrefix: targetPrefix, operation: operation, input: input)
        case .restJSON(let operations):
            return try RESTJSONProtocol.request(service: service, operations: operations, operation: operation, input: input)
        }
    }

    /// Calls `operation` with a JSON input and returns the decoded response as JSON.
    ///
    /// `signing: .unsigned` sends the request without credentials (STS `AssumeRoleWithWebIdentity`).
    public func call(
        _ service: AWSService, operation: String, input: JSONValue, signing: Signing = .sigV4
    ) async throws -> JSONValue {
        let request = try Self.operationRequest(service: service, operation: operation, input: input)
        let response = try await send(request, signing: signing)
        do {
            switch service.wireProtocol {
            case .query:
                return try QueryProtocol.decodeResponse(
                    operation: operation, body: response.body, listElements: QueryListMembers.of(service))
            case .json, .restJSON:
                return try JSONProtocol.decodeResponse(body: response.body)
            }
        } catch {
            throw error.within(service: service.cliName, operation: operation)
        }
    }

    /// The request as it would be sent now: endpoint resolved, signed.
    public func signedRequest(for request: AWSOperationRequest) async throws -> AWSHTTPRequest {
        let credentials = try await loadCredentials(for: request)
        let endpoint = try resolveEndpoint(for: request)
        return sign(request, endpoint: endpoint, credentials: credentials, date: skew.correctedDate(now(), host: endpoint.host))
    }

    /// Sends `request` with retries; returns the 2xx response or throws an `AWSError`
    /// (or `CancellationError` when the calling task is cancelled).
    public func send(_ request: AWSOperationRequest, signing: Signing = .sigV4) async throws -> AWSHTTPResponse {
        let service = request.service.cliName
        var logger = self.logger
        logger[metadataKey: "aws.service"] = "\(service)"
        logger[metadataKey: "aws.operation"] = "\(request.operation)"

        let endpoint = try resolveEndpoint(for: request)
        var attempt = 1
        var heldTokens = 0
        var hasCorrectedSkew = false
        var hasRefreshedCredentials = false
        while true {
            try Task.checkCancellation()
            let sentAt = now()
            let httpRequest: AWSHTTPRequest
            if signing == .unsigned {
                httpRequest = unsignedRequest(request, endpoint: endpoint)
            } else {
                let credentials = try await loadCredentials(for: request)
                let date = skew.correctedDate(sentAt, host: endpoint.host)
                httpRequest = sign(request, endpoint: endpoint, credentials: credentials, date: date)
            }

            let failure: AWSError
            var isTimeout = false
            var retryAfter: Duration?
            do {
                let response = try await transport.send(httpRequest)
                if (200..<300).contains(response.status) {
                    quota.release(heldTokens > 0 ? heldTokens : retry.successIncrement)
                    return response
                }
                let error = AWSErrorDecoder.decode(response, service: request.service, operation: request.operation)
                let code = error.code ?? ""
                let dateHeader = response.header("Date")
                if !hasCorrectedSkew, AWSRetryPolicy.clockSkewCodes.contains(code),
                    skew.showsSkew(serverDate: dateHeader, now: sentAt),
                    skew.learn(serverDate: dateHeader, now: sentAt, host: endpoint.host)
                {
                    hasCorrectedSkew = true
                    logger.info(
                        "Clock skew learned from the response; re-signing",
                        metadata: ["aws.error.code": "\(code)", "aws.clock.offset_s": "\(Int(skew.offset(for: endpoint.host)))"])
                    continue
                }
                if !hasRefreshedCredentials, signing != .unsigned, AWSRetryPolicy.expiredTokenCodes.contains(code) {
                    hasRefreshedCredentials = true
                    logger.info("Credentials expired; refreshing and trying once more", metadata: ["aws.error.code": "\(code)"])
                    await credentialProvider.invalidate()
                    continue
                }
                failure = error
                retryAfter = response.header("x-amz-retry-after").flatMap(Int.init).map { Duration.milliseconds(max(0, $0)) }
            } catch let error as TransportError {
                failure = AWSError(
                    kind: .transport, service: service, operation: request.operation,
                    message: "the request to \(endpoint.host) failed", isRetryable: error.isRetryable, underlying: error)
                isTimeout = error.isTimeout
            }

            guard failure.isRetryable, attempt < retry.maxAttempts else {
                if attempt > 1 { logger.debug("Giving up", metadata: ["aws.attempts": "\(attempt)", "aws.error": "\(failure)"]) }
                throw failure
            }
            let cost = isTimeout ? retry.timeoutRetryCost : retry.retryCost
            guard quota.acquire(cost) else {
                logger.info("Retry quota exhausted; not retrying", metadata: ["aws.error.code": "\(failure.code ?? "transport")"])
                throw failure
            }
            heldTokens = cost
            let delay = min(retryAfter ?? retry.backoff(retry: attempt, random: random()), retry.maxBackoff)
            logger.debug(
                "Retrying",
                metadata: [
                    "aws.attempt": "\(attempt + 1)", "aws.error.code": "\(failure.code ?? "transport")",
                    "aws.retry.delay": "\(delay)",
                ])
            try await Task.sleep(for: delay)
            attempt += 1
        }
    }

    private func loadCredentials(for request: AWSOperationRequest) async throws -> AWSCredentials {
        do {
            return try await credentialProvider.credentials()
        } catch let error as AWSError {
            throw error.within(service: request.service.cliName, operation: request.operation)
        }
    }

    private func resolveEndpoint(for request: AWSOperationRequest) throws(AWSError) -> AWSEndpoint {
        do {
            return try endpoints.endpoint(for: request.service, region: region)
        } catch {
            throw error.within(service: request.service.cliName, operation: request.operation)
        }
    }

    func signer(for service: AWSService, region: String) -> SigV4Signer {
        let key = "\(service.signingName)/\(region)"
        return signers.withLock { signers in
            if let signer = signers[key] { return signer }
            let signer = SigV4Signer(service: service.signingName, region: region)
            signers[key] = signer
            return signer
        }
    }
}
