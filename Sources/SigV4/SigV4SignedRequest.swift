/// The result of ``SigV4Signer/sign(_:credentials:date:)``: what to send, and every stage of the
/// signature for tests and debugging (none of them contains the secret).
public struct SigV4SignedRequest: Sendable {
    /// The headers to send: the request's own, then `X-Amz-Date`, `X-Amz-Security-Token`
    /// (with a session token), `x-amz-content-sha256` (if the options ask for it), `Authorization`.
    public let headers: [SigV4Header]
    /// The path for the URL, percent-encoded.
    public let encodedPath: String
    let canonicalQueryBytes: [UInt8]
    let canonicalRequestBytes: [UInt8]
    let stringToSignBytes: [UInt8]
    let signedHeadersBytes: [UInt8]
    let signatureBytes: [UInt8]

    /// The query for the URL (without `?`): the canonical query string, so the URL and the
    /// signature agree. Empty without query parameters.
    public var encodedQuery: String { String(decoding: canonicalQueryBytes, as: UTF8.self) }
    /// The path and query for the request line or URL: `/path?query`.
    public var encodedPathAndQuery: String {
        canonicalQueryBytes.isEmpty ? encodedPath : encodedPath + "?" + encodedQuery
    }
    /// Stage 1, the canonical request.
    public var canonicalRequest: String { String(decoding: canonicalRequestBytes, as: UTF8.self) }
    /// Stage 2, the string to sign.
    public var stringToSign: String { String(decoding: stringToSignBytes, as: UTF8.self) }
    /// The `;`-separated list of signed header names.
    public var signedHeaders: String { String(decoding: signedHeadersBytes, as: UTF8.self) }
    /// Stage 4, the hex signature.
    public var signature: String { String(decoding: signatureBytes, as: UTF8.self) }
    /// The value of the `Authorization` header.
    public var authorization: String {
        headers.last { $0.name == "Authorization" }?.value ?? ""
    }
}

/// The result of ``SigV4Signer/presign(_:credentials:date:expires:)``.
public struct SigV4PresignedRequest: Sendable {
    /// The `X-Amz-*` parameters added to the request's query, `X-Amz-Signature` last.
    public let addedQueryItems: [SigV4QueryItem]
    /// The path for the URL, percent-encoded.
    public let encodedPath: String
    /// The complete query for the URL (without `?`): the request's parameters and the added ones.
    public let encodedQuery: String
    let canonicalRequestBytes: [UInt8]
    let stringToSignBytes: [UInt8]
    let signatureBytes: [UInt8]

    /// `/path?query`, ready to append to `https://host`.
    public var encodedPathAndQuery: String { encodedPath + "?" + encodedQuery }
    /// Stage 1, the canonical request.
    public var canonicalRequest: String { String(decoding: canonicalRequestBytes, as: UTF8.self) }
    /// Stage 2, the string to sign.
    public var stringToSign: String { String(decoding: stringToSignBytes, as: UTF8.self) }
    /// Stage 4, the hex signature.
    public var signature: String { String(decoding: signatureBytes, as: UTF8.self) }
}
