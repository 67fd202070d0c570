import Foundation
import Testing

@testable import SigV4

/// The official AWS SigV4 test suite (see `Fixtures/sigv4/SOURCE.md`): every case, header and
/// query signing, each stage compared exactly.
@Suite("AWS SigV4 test suite")
struct SigV4TestSuiteTests {
    struct Prepared {
        var signer: SigV4Signer
        var request: SigV4Request
        var credentials: AWSCredentials
        var date: Date
        var expires: Int
    }

    static func prepare(_ testCase: SigV4TestSuiteCase) throws -> Prepared {
        let context = try testCase.context()
        let parsed = try ParsedTestRequest(testCase.rawRequest())
        let options = SigV4Options(
            uriEncoding: context.double_uri_encode == false ? .single : .double,
            pathNormalization: context.normalize == false ? .disabled : .enabled,
            contentHashHeader: context.sign_body == true ? .included : .omitted,
            sessionToken: context.omit_session_token == true ? .addedAfterSigning : .signed
        )
        let signer = SigV4Signer(service: context.service, region: context.region, options: options)
        // The suite's request line carries the path as sent on the wire.
        let request = SigV4Request(
            method: parsed.method,
            encodedPath: parsed.path,
            query: parsed.query,
            headers: parsed.headers,
            payload: .bytes(parsed.body)
        )
        let credentials = AWSCredentials(
            accessKeyID: context.credentials.access_key_id,
            secretAccessKey: context.credentials.secret_access_key,
            sessionToken: context.credentials.token
        )
        let date = try Date(context.timestamp, strategy: .iso8601)
        return Prepared(
            signer: signer,
            request: request,
            credentials: credentials,
            date: date,
            expires: context.expiration_in_seconds ?? 3600
        )
    }

    @Test("header signing", arguments: SigV4TestSuiteCase.all)
    func headerSigning(_ testCase: SigV4TestSuiteCase) throws {
        let prepared = try Self.prepare(testCase)
        let signed = prepared.signer.sign(prepared.request, credentials: prepared.credentials, date: prepared.date)

        #expect(signed.canonicalRequest == (try testCase.expected("header-canonical-request.txt")))
        #expect(signed.stringToSign == (try testCase.expected("header-string-to-sign.txt")))

        switch testCase.layout {
        case .crt:
            #expect(signed.signature == (try testCase.expected("header-signature.txt")))
            let expectedHeaders = try Self.signedHeaderLines(testCase.expected("header-signed-request.txt"))
            #expect(signed.authorization == expectedHeaders["authorization"])
            #expect(Self.value(of: "x-amz-date", in: signed.headers) == expectedHeaders["x-amz-date"])
            #expect(
                Self.value(of: "x-amz-security-token", in: signed.headers) == expectedHeaders["x-amz-security-token"]
            )
            #expect(
                Self.value(of: "x-amz-content-sha256", in: signed.headers) == expectedHeaders["x-amz-content-sha256"]
            )
        case .classicBotocore:
            let authorization = try testCase.expected("authz").trimmingCharacters(in: .newlines)
            #expect(signed.authorization == authorization)
            #expect(signed.headers.filter { $0.name.lowercased() == "x-amz-date" }.count == 1)
        }
    }

    @Test("query signing", arguments: SigV4TestSuiteCase.crtCases)
    func querySigning(_ testCase: SigV4TestSuiteCase) throws {
        let prepared = try Self.prepare(testCase)
        let presigned = prepared.signer.presign(
            prepared.request,
            credentials: prepared.credentials,
            date: prepared.date,
            expires: prepared.expires
        )
        #expect(presigned.canonicalRequest == (try testCase.expected("query-canonical-request.txt")))
        #expect(presigned.stringToSign == (try testCase.expected("query-string-to-sign.txt")))
        #expect(presigned.signature == (try testCase.expected("query-signature.txt")))

        // The presigned query holds the same parameters as the suite's (order not significant).
        let requestLine = try testCase.expected("query-signed-request.txt").prefix { $0 != "\n" }
        let parts = requestLine.split(separator: " ")
        let target = parts.count >= 3 ? parts[1..<(parts.count - 1)].joined(separator: " ") : ""
        let expectedQuery = target.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        #expect(Self.pairs(presigned.encodedQuery) == Self.pairs(expectedQuery))
    }

    static func pairs(_ query: String) -> [String] {
        query.split(separator: "&").map { pair in
            // Compare decoded, so `%2F` vs `/` spelling differences in the fixture do not matter.
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = ParsedTestRequest.percentDecode(String(parts[0]))
            let value = parts.count > 1 ? ParsedTestRequest.percentDecode(String(parts[1])) : ""
            return name + "=" + value
        }.sorted()
    }

    static func value(of name: String, in headers: [SigV4Header]) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }

    /// The `X-Amz-*` and `Authorization` lines of a signed request, lower-cased names.
    static func signedHeaderLines(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            guard name == "authorization" || name.hasPrefix("x-amz-") else { continue }
            result[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }
}
