#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Signs requests with AWS Signature Version 4 (HMAC-SHA256) for one service in one region.
///
/// Pure: the result depends only on the request, the credentials and the `date` given; nothing
/// reads the clock or the environment. The signing key is derived once per (secret, day, region,
/// service) and kept in ``keyCache``.
///
/// ```swift
/// let signer = SigV4Signer(service: "monitoring", region: "eu-west-1")
/// let signed = signer.sign(request, credentials: credentials, date: now)
/// // URL: "https://monitoring.eu-west-1.amazonaws.com" + signed.encodedPath (+ "?" + signed.encodedQuery)
/// // headers: signed.headers
/// ```
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// The signing name of the service (`monitoring`, `logs`, `securityhub`, `s3`...).
    public let service: String
    public let region: String
    public let options: SigV4Options
    public let keyCache: SigV4SigningKeyCache

    public init(
        service: String,
        region: String,
        options: SigV4Options = .default,
        keyCache: SigV4SigningKeyCache = SigV4SigningKeyCache()
    ) {
        self.service = service
        self.region = region
        self.options = options
        self.keyCache = keyCache
    }

    /// Signs `request` with an `Authorization` header.
    ///
    /// - Returns: the headers to send (the request's headers plus `X-Amz-Date`,
    ///   `X-Amz-Security-Token` when the credentials carry a token, `x-amz-content-sha256` when
    ///   the options ask for it, and `Authorization`), the encoded path and query for the URL, and
    ///   every intermediate stage.
    public func sign(_ request: SigV4Request, credentials: AWSCredentials, date: Date) -> SigV4SignedRequest {
        let signingDate = SigV4Date(date)
        let payloadHash = Self.payloadHash(request.payload)
        let token = credentials.sessionToken
        let includesContentHash = options.contentHashHeader.isIncluded

        // Headers the signer owns replace any the caller passed.
        var added: [SigV4Header] = []
        added.reserveCapacity(4)
        added.append(SigV4Header("X-Amz-Date", String(decoding: signingDate.amzDate, as: UTF8.self)))
        if let token { added.append(SigV4Header("X-Amz-Security-Token", token)) }
        if includesContentHash {
            added.append(SigV4Header("x-amz-content-sha256", String(decoding: payloadHash, as: UTF8.self)))
        }
        let ownedNames = OwnedHeaders(
            securityToken: token != nil,
            contentHash: includesContentHash
        )

        var canonicalHeaders = CanonicalHeaders(capacity: request.headers.count + added.count)
        for header in request.headers where !ownedNames.contains(header.name) {
            canonicalHeaders.add(header)
        }
        for header in added where token == nil || options.sessionToken.isSigned || header.name != "X-Amz-Security-Token" {
            canonicalHeaders.add(header)
        }
        canonicalHeaders.finish()

        var canonicalQuery: [UInt8] = []
        SigV4URIEncoding.appendCanonicalQuery(request.query, to: &canonicalQuery)

        let (canonicalRequest, stringToSign, signature) = signatureStages(
            of: request,
            canonicalQuery: canonicalQuery,
            headers: canonicalHeaders,
            payloadHash: payloadHash,
            secretAccessKey: credentials.secretAccessKey,
            date: signingDate
        )

        var authorization: [UInt8] = []
        authorization.reserveCapacity(160 + canonicalHeaders.signedHeaders.count)
        authorization.append(contentsOf: "AWS4-HMAC-SHA256 Credential=".utf8)
        authorization.append(contentsOf: credentials.accessKeyID.utf8)
        authorization.append(UInt8(ascii: "/"))
        appendScope(signingDate, to: &authorization)
        authorization.append(contentsOf: ", SignedHeaders=".utf8)
        authorization.append(contentsOf: canonicalHeaders.signedHeaders)
        authorization.append(contentsOf: ", Signature=".utf8)
        authorization.append(contentsOf: signature)
        added.append(SigV4Header("Authorization", String(decoding: authorization, as: UTF8.self)))

        var headers: [SigV4Header] = []
        headers.reserveCapacity(request.headers.count + added.count)
        for header in request.headers where !ownedNames.contains(header.name) {
            headers.append(header)
        }
        headers.append(contentsOf: added)

        return SigV4SignedRequest(
            headers: headers,
            encodedPath: request.encodedPath,
            canonicalQueryBytes: canonicalQuery,
            canonicalRequestBytes: canonicalRequest,
            stringToSignBytes: stringToSign,
            signedHeadersBytes: canonicalHeaders.signedHeaders,
            signatureBytes: signature
        )
    }

    /// Signs `request` in its query string (a presigned URL), valid for `expires` seconds.
    ///
    /// The signature covers the request's headers (pass `Host`) and query; the returned
    /// ``SigV4PresignedRequest/encodedQuery`` holds them plus the `X-Amz-*` parameters and
    /// `X-Amz-Signature`.
    public func presign(
        _ request: SigV4Request,
        credentials: AWSCredentials,
        date: Date,
        expires: Int
    ) -> SigV4PresignedRequest {
        let signingDate = SigV4Date(date)
        let payloadHash = Self.payloadHash(request.payload)

        var canonicalHeaders = CanonicalHeaders(capacity: request.headers.count)
        let ownedNames = OwnedHeaders(securityToken: false, contentHash: false)
        for header in request.headers where !ownedNames.contains(header.name) {
            canonicalHeaders.add(header)
        }
        canonicalHeaders.finish()

        var credential: [UInt8] = Array(credentials.accessKeyID.utf8)
        credential.append(UInt8(ascii: "/"))
        appendScope(signingDate, to: &credential)

        var added: [SigV4QueryItem] = [
            SigV4QueryItem("X-Amz-Algorithm", Self.algorithm),
            SigV4QueryItem("X-Amz-Credential", String(decoding: credential, as: UTF8.self)),
            SigV4QueryItem("X-Amz-Date", String(decoding: signingDate.amzDate, as: UTF8.self)),
            SigV4QueryItem("X-Amz-Expires", String(expires)),
            SigV4QueryItem("X-Amz-SignedHeaders", String(decoding: canonicalHeaders.signedHeaders, as: UTF8.self)),
        ]
        let token = credentials.sessionToken
        if let token, options.sessionToken.isSigned {
            added.append(SigV4QueryItem("X-Amz-Security-Token", token))
        }
        var canonicalQuery: [UInt8] = []
        SigV4URIEncoding.appendCanonicalQuery(request.query + added, to: &canonicalQuery)

        let (canonicalRequest, stringToSign, signature) = signatureStages(
            of: request,
            canonicalQuery: canonicalQuery,
            headers: canonicalHeaders,
            payloadHash: payloadHash,
            secretAccessKey: credentials.secretAccessKey,
            date: signingDate
        )

        var query = canonicalQuery
        if let token, !options.sessionToken.isSigned {
            added.append(SigV4QueryItem("X-Amz-Security-Token", token))
            query.append(contentsOf: "&X-Amz-Security-Token=".utf8)
            SigV4URIEncoding.append(token.utf8, to: &query)
        }
        let signatureString = String(decoding: signature, as: UTF8.self)
        added.append(SigV4QueryItem("X-Amz-Signature", signatureString))
        query.append(contentsOf: "&X-Amz-Signature=".utf8)
        query.append(contentsOf: signature)

        return SigV4PresignedRequest(
            addedQueryItems: added,
            encodedPath: request.encodedPath,
            encodedQuery: String(decoding: query, as: UTF8.self),
            canonicalRequestBytes: canonicalRequest,
            stringToSignBytes: stringToSign,
            signatureBytes: signature
        )
    }
}

extension SigV4Signer {
    /// Signer-owned headers, matched case-insensitively without allocating.
    struct OwnedHeaders {
        let securityToken: Bool
        let contentHash: Bool

        func contains(_ name: String) -> Bool {
            let utf8 = name.utf8
            switch utf8.count {
            case 10: return Self.equalsLowercased(utf8, "x-amz-date")
            case 13: return Self.equalsLowercased(utf8, "authorization")
            case 20:
                return (securityToken && Self.equalsLowercased(utf8, "x-amz-security-token"))
                    || (contentHash && Self.equalsLowercased(utf8, "x-amz-content-sha256"))
            default: return false
            }
        }

        private static func equalsLowercased(_ name: String.UTF8View, _ lowercased: StaticString) -> Bool {
            lowercased.withUTF8Buffer { expected in
                guard name.count == expected.count else { return false }
                var index = 0
                for byte in name {
                    if CanonicalHeaders.lowercase(byte) != expected[index] { return false }
                    index += 1
                }
                return true
            }
        }
    }
}
