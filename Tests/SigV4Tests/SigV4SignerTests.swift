import Foundation
import Testing

@testable import SigV4

@Suite("SigV4 signer")
struct SigV4SignerTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let token = String(repeating: "IQoJb3JpZ2luX2VjEXAMPLETOKEN/", count: 14)
    static let credentials = AWSCredentials(
        accessKeyID: "ASIAIOSFODNN7EXAMPLE",
        secretAccessKey: secret,
        sessionToken: token
    )
    /// 2026-11-27T00:00:00Z
    static let date = Date(timeIntervalSince1970: 1_795_737_600)

    static let getMetricDataBody =
        "Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.1.Id=m1"
        + "&MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS%2FEC2"
        + "&MetricDataQueries.member.1.MetricStat.Metric.MetricName=CPUUtilization"
        + "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=InstanceId"
        + "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=i-0abc1def0123456789"
        + "&MetricDataQueries.member.1.MetricStat.Period=60&MetricDataQueries.member.1.MetricStat.Stat=Average"
        + "&StartTime=2026-11-27T00%3A00%3A00Z&EndTime=2026-11-27T01%3A00%3A00Z"

    static func getMetricDataRequest() -> SigV4Request {
        SigV4Request(
            method: "POST",
            path: "/",
            headers: [
                SigV4Header("Host", "monitoring.eu-west-1.amazonaws.com"),
                SigV4Header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            ],
            payload: .bytes(Array(getMetricDataBody.utf8))
        )
    }

    @Test("a CloudWatch GetMetricData POST signs deterministically, as botocore signs it")
    func getMetricDataSignsDeterministically() {
        let signer = SigV4Signer(service: "monitoring", region: "eu-west-1")
        let first = signer.sign(Self.getMetricDataRequest(), credentials: Self.credentials, date: Self.date)
        let second = signer.sign(Self.getMetricDataRequest(), credentials: Self.credentials, date: Self.date)
        let other = SigV4Signer(service: "monitoring", region: "eu-west-1")
            .sign(Self.getMetricDataRequest(), credentials: Self.credentials, date: Self.date)

        #expect(first.canonicalRequest == second.canonicalRequest)
        #expect(first.headers == second.headers)
        #expect(first.headers == other.headers)
        // botocore 1.43.11 SigV4Auth, same request, credentials and time.
        #expect(
            first.authorization
                == "AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/20261127/eu-west-1/monitoring/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
                + "Signature=f647fcfd092c08f8537031551e6bce55f1e135269c69098f35cf8e238bf2ff49"
        )
        #expect(first.headers.map(\.name) == ["Host", "Content-Type", "X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
        #expect(first.headers.first { $0.name == "X-Amz-Date" }?.value == "20261127T000000Z")
        #expect(first.encodedPathAndQuery == "/")
    }

    @Test("the signing key is derived once per day and reused")
    func signingKeyCache() {
        let cache = SigV4SigningKeyCache(capacity: 2)
        let signer = SigV4Signer(service: "monitoring", region: "eu-west-1", keyCache: cache)
        let request = Self.getMetricDataRequest()

        _ = signer.sign(request, credentials: Self.credentials, date: Self.date)
        _ = signer.sign(request, credentials: Self.credentials, date: Self.date.addingTimeInterval(3600))
        #expect(cache.derivationCount == 1)

        let today = signer.signingKey(secretAccessKey: Self.secret, date: SigV4Date(Self.date))
        let laterToday = signer.signingKey(
            secretAccessKey: Self.secret,
            date: SigV4Date(Self.date.addingTimeInterval(86_399))
        )
        #expect(today.bytes == laterToday.bytes)
        #expect(cache.derivationCount == 1)

        let tomorrow = signer.signingKey(
            secretAccessKey: Self.secret,
            date: SigV4Date(Self.date.addingTimeInterval(86_400))
        )
        #expect(tomorrow.bytes != today.bytes)
        #expect(cache.derivationCount == 2)

        // Another secret is another key; the cache stays bounded.
        _ = signer.signingKey(secretAccessKey: "another", date: SigV4Date(Self.date))
        #expect(cache.derivationCount == 3)
        _ = signer.signingKey(secretAccessKey: Self.secret, date: SigV4Date(Self.date))
        #expect(cache.derivationCount == 4)
    }

    @Test("the signing key matches the AWS documentation example")
    func signingKeyDocumentationExample() throws {
        // "Examples of how to derive a signing key for Signature Version 4" (AWS General Reference).
        let date = try Date("2012-02-15T00:00:00Z", strategy: .iso8601)
        let key = SigV4SigningKey(
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            dateStamp: SigV4Date(date).dateStamp,
            region: "us-east-1",
            service: "iam"
        )
        #expect(
            String(decoding: SigV4Hashing.hex(key.bytes), as: UTF8.self)
                == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        )
    }

    @Test("credentials never print the secret or the token")
    func credentialsDescription() {
        let credentials = Self.credentials
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in [
            credentials.description, credentials.debugDescription, "\(credentials)",
            String(describing: credentials), String(reflecting: credentials), dumped, "\([credentials])",
        ] {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(Self.token))
        }
        #expect(credentials.description.contains("ASIAIOSFODNN7EXAMPLE"))
    }

    @Test(
        "X-Amz-Date is UTC and exact",
        arguments: [
            (1_795_737_600.0, "20261127T000000Z"),
            (1_709_251_199.9, "20240229T235959Z"),
            (951_782_400.0, "20000229T000000Z"),
            (0.0, "19700101T000000Z"),
            (1_440_938_160.0, "20150830T123600Z"),
        ])
    func amzDate(seconds: Double, expected: String) {
        #expect(String(decoding: SigV4Date(Date(timeIntervalSince1970: seconds)).amzDate, as: UTF8.self) == expected)
    }

    @Test("S3 signs the path as in the URL; other services encode it again")
    func pathEncoding() {
        let request = SigV4Request(
            method: "GET",
            path: "/my bucket/a b+c/ሴ",
            headers: [SigV4Header("Host", "example.amazonaws.com")],
            payload: .unsigned
        )
        #expect(request.encodedPath == "/my%20bucket/a%20b%2Bc/%E1%88%B4")

        let s3 = SigV4Signer(service: "s3", region: "us-east-1", options: .s3)
            .sign(request, credentials: Self.credentials, date: Self.date)
        #expect(s3.canonicalRequest.split(separator: "\n")[1] == "/my%20bucket/a%20b%2Bc/%E1%88%B4")
        #expect(s3.headers.contains(SigV4Header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")))
        #expect(s3.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))

        let other = SigV4Signer(service: "execute-api", region: "us-east-1")
            .sign(request, credentials: Self.credentials, date: Self.date)
        #expect(other.canonicalRequest.split(separator: "\n")[1] == "/my%2520bucket/a%2520b%252Bc/%25E1%2588%25B4")
        #expect(other.encodedPath == "/my%20bucket/a%20b%2Bc/%E1%88%B4")
    }

    @Test("the URL query and the canonical query agree")
    func encodedQuery() {
        let request = SigV4Request(
            method: "GET",
            path: "/",
            query: [SigV4QueryItem("b", "x y"), SigV4QueryItem("a", "2/3"), SigV4QueryItem("a", "1")],
            headers: [SigV4Header("Host", "example.amazonaws.com")]
        )
        let signed = SigV4Signer(service: "service", region: "us-east-1")
            .sign(request, credentials: Self.credentials, date: Self.date)
        #expect(request.encodedQuery == "a=1&a=2%2F3&b=x%20y")
        #expect(signed.encodedQuery == request.encodedQuery)
        #expect(signed.encodedPathAndQuery == "/?a=1&a=2%2F3&b=x%20y")
        #expect(signed.canonicalRequest.split(separator: "\n")[2] == "a=1&a=2%2F3&b=x%20y")
    }

    @Test("a precomputed payload hash is signed as given; headers the signer owns are replaced")
    func precomputedHashAndOwnedHeaders() {
        let hash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
        let request = SigV4Request(
            method: "POST",
            path: "/findings",
            headers: [
                SigV4Header("Host", "securityhub.eu-west-1.amazonaws.com"),
                SigV4Header("authorization", "stale"),
                SigV4Header("X-AMZ-DATE", "19990101T000000Z"),
            ],
            payload: .precomputedHash(hash)
        )
        let signed = SigV4Signer(service: "securityhub", region: "eu-west-1")
            .sign(request, credentials: Self.credentials, date: Self.date)
        #expect(signed.canonicalRequest.hasSuffix("\n" + hash))
        #expect(signed.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
        #expect(signed.headers.filter { $0.name.lowercased() == "x-amz-date" }.map(\.value) == ["20261127T000000Z"])
        #expect(signed.signedHeaders == "host;x-amz-date;x-amz-security-token")
    }
}
