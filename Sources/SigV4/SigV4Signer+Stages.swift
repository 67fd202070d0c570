/// The stages of the SigV4 algorithm, named as in the AWS documentation
/// ("Create a signed AWS API request", Signature Version 4).
extension SigV4Signer {
    /// Step 1, the canonical request:
    /// ```
    /// HTTPMethod \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
    /// ```
    /// where CanonicalHeaders is one `name:value\n` line per header.
    func canonicalRequest(
        method: String,
        encodedPath: String,
        canonicalQuery: [UInt8],
        headers: CanonicalHeaders,
        payloadHash: [UInt8]
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(
            method.utf8.count + encodedPath.utf8.count * 3 + canonicalQuery.count + headers.lines.count
                + headers.signedHeaders.count + payloadHash.count + 8
        )
        out.append(contentsOf: method.utf8)
        out.append(UInt8(ascii: "\n"))
        SigV4URIEncoding.appendCanonicalURI(encodedPath, options: options, to: &out)
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: canonicalQuery)
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: headers.lines)
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: headers.signedHeaders)
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: payloadHash)
        return out
    }

    /// Step 2, the string to sign:
    /// `AWS4-HMAC-SHA256 \n X-Amz-Date \n CredentialScope \n HexEncode(SHA256(CanonicalRequest))`.
    func stringToSign(canonicalRequest: [UInt8], date: SigV4Date) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + 17 + 17 + 64 + service.utf8.count + region.utf8.count)
        out.append(contentsOf: "AWS4-HMAC-SHA256\n".utf8)
        out.append(contentsOf: date.amzDate)
        out.append(UInt8(ascii: "\n"))
        appendScope(date, to: &out)
        out.append(UInt8(ascii: "\n"))
        SigV4Hashing.appendSHA256Hex(of: canonicalRequest, to: &out)
        return out
    }

    /// Step 3, the signing key for this signer's region and service on `date`'s day (cached).
    func signingKey(secretAccessKey: String, date: SigV4Date) -> SigV4SigningKey {
        keyCache.signingKey(secretAccessKey: secretAccessKey, date: date, region: region, service: service)
    }

    /// Step 4, the signature: `HexEncode(HMAC-SHA256(SigningKey, StringToSign))`.
    func signature(stringToSign: [UInt8], key: SigV4SigningKey) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        key.hmac.appendHexMAC(of: stringToSign, to: &out)
        return out
    }

    /// Steps 1 to 4 over one request: its canonical request, string to sign and signature.
    func signatureStages(
        of request: SigV4Request,
        canonicalQuery: [UInt8],
        headers: CanonicalHeaders,
        payloadHash: [UInt8],
        secretAccessKey: String,
        date: SigV4Date
    ) -> (canonicalRequest: [UInt8], stringToSign: [UInt8], signature: [UInt8]) {
        let canonicalRequest = canonicalRequest(
            method: request.method,
            encodedPath: request.encodedPath,
            canonicalQuery: canonicalQuery,
            headers: headers,
            payloadHash: payloadHash
        )
        let stringToSign = stringToSign(canonicalRequest: canonicalRequest, date: date)
        let key = signingKey(secretAccessKey: secretAccessKey, date: date)
        return (canonicalRequest, stringToSign, signature(stringToSign: stringToSign, key: key))
    }

    /// The credential scope, `YYYYMMDD/region/service/aws4_request`.
    func appendScope(_ date: SigV4Date, to out: inout [UInt8]) {
        out.append(contentsOf: date.dateStamp)
        out.append(UInt8(ascii: "/"))
        out.append(contentsOf: region.utf8)
        out.append(UInt8(ascii: "/"))
        out.append(contentsOf: service.utf8)
        out.append(contentsOf: "/aws4_request".utf8)
    }

    /// The hashed payload line: hex SHA-256 of the body, a precomputed hash, or `UNSIGNED-PAYLOAD`.
    static func payloadHash(_ payload: SigV4Payload) -> [UInt8] {
        switch payload.storage {
        case .bytes(let body): SigV4Hashing.sha256Hex(body)
        case .precomputedHash(let hash): Array(hash.utf8)
        case .unsigned: Array("UNSIGNED-PAYLOAD".utf8)
        }
    }
}
