import TestSupport
import Testing

@testable import AWSCore

@Suite("CurlTransport exchanges")
struct CurlTransportExchangeTests {
    @Test func signedRequestReachesServerUnchangedAndResponseComesBack() async throws {
        let responseBody = #"{"Metrics":[]}"#
        try await withHTTPTestServer { _ in
            .respond(
                status: 200,
                headers: [("x-amzn-RequestId", "req-1"), ("Content-Type", "application/x-amz-json-1.1")],
                body: responseBody
            )
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                let body = Array(#"{"logGroupName":"/aws/lambda/f","limit":50}"#.utf8)
                let headers = [
                    AWSHTTPHeader("Host", "127.0.0.1:\(server.port)"),
                    AWSHTTPHeader("Content-Type", "application/x-amz-json-1.1"),
                    AWSHTTPHeader("X-Amz-Target", "Logs_20140328.FilterLogEvents"),
                    AWSHTTPHeader("X-Amz-Date", "20261127T000000Z"),
                    AWSHTTPHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
                    AWSHTTPHeader(
                        "Authorization",
                        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/eu-west-1/logs/aws4_request, "
                            + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd"
                    ),
                ]
                let response = try await transport.send(
                    AWSHTTPRequest(method: "POST", url: server.url("/a%20b/?x=1&y=%2F"), headers: headers, body: body)
                )

                #expect(response.status == 200)
                #expect(response.body == Array(responseBody.utf8))
                #expect(response.header("x-amzn-requestid") == "req-1")
                #expect(response.header("Content-Type") == "application/x-amz-json-1.1")

                let recorded = try #require(server.requests.first)
                #expect(recorded.method == "POST")
                #expect(recorded.uri == "/a%20b/?x=1&y=%2F")
                #expect(recorded.body == body)
                for header in headers {
                    // Name spelling and value exactly as signed.
                    #expect(recorded.headers.filter { $0.name == header.name }.map(\.value) == [header.value])
                }
                // Nothing else but what libcurl must add: no Expect, no Accept, no second Content-Type.
                let names = recorded.headers.map { $0.name.lowercased() }.sorted()
                let expected = (headers.map { $0.name.lowercased() } + ["accept-encoding", "content-length", "user-agent"])
                #expect(names == expected.sorted())
                #expect(recorded.header("Content-Length") == String(body.count))
                #expect(recorded.header("User-Agent") == "aws-realtime-tests")
            }
        }
    }

    @Test func postWithoutContentTypeGetsNoneAndLargeBodyNoExpect() async throws {
        try await withHTTPTestServer { _ in
            .respond(status: 200)
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                // Over 1 MiB: where libcurl would otherwise send "Expect: 100-continue" and wait.
                let body = [UInt8](repeating: UInt8(ascii: "a"), count: 1_100_000)
                let response = try await transport.send(AWSHTTPRequest(method: "POST", url: server.url("/upload"), body: body))
                #expect(response.status == 200)
                let recorded = try #require(server.requests.first)
                #expect(recorded.body == body)
                #expect(recorded.header("Content-Type") == nil)
                #expect(recorded.header("Expect") == nil)
                #expect(recorded.header("Accept") == nil)
            }
        }
    }

    @Test func methodsAndEmptyHeaderValues() async throws {
        try await withHTTPTestServer { request in
            .respond(status: 200, body: request.method)
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                let get = try await transport.send(
                    AWSHTTPRequest(method: "GET", url: server.url("/g"), headers: [AWSHTTPHeader("X-Empty", "")])
                )
                let delete = try await transport.send(AWSHTTPRequest(method: "DELETE", url: server.url("/d")))
                let put = try await transport.send(AWSHTTPRequest(method: "PUT", url: server.url("/p"), body: [1, 2, 3]))
                let head = try await transport.send(AWSHTTPRequest(method: "HEAD", url: server.url("/h")))
                #expect(get.body == Array("GET".utf8))
                #expect(delete.body == Array("DELETE".utf8))
                #expect(put.body == Array("PUT".utf8))
                #expect(head.status == 200)
                #expect(head.body.isEmpty)

                let requests = server.requests
                #expect(requests.map(\.method) == ["GET", "DELETE", "PUT", "HEAD"])
                #expect(requests[0].headers.contains { $0.name == "X-Empty" && $0.value.isEmpty })
                #expect(requests[0].header("Content-Length") == nil)
                #expect(requests[1].header("Content-Length") == nil)
                #expect(requests[2].body == [1, 2, 3])
            }
        }
    }

    @Test func nonSuccessStatusIsAResponse() async throws {
        try await withHTTPTestServer { _ in
            .respond(status: 503, headers: [("Retry-After", "1")], body: "<Error><Code>Throttling</Code></Error>")
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                let response = try await transport.send(AWSHTTPRequest(method: "GET", url: server.url()))
                #expect(response.status == 503)
                #expect(response.header("retry-after") == "1")
                #expect(response.body == Array("<Error><Code>Throttling</Code></Error>".utf8))
            }
        }
    }

    @Test func gzipResponseIsDecompressed() async throws {
        let plain = Array(String(repeating: "metric-datapoint,", count: 10_000).utf8)
        try await withHTTPTestServer { _ in
            .respond(status: 200, body: plain).gzipEncoded()
        } _: { server in
            try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
                let response = try await transport.send(AWSHTTPRequest(method: "GET", url: server.url()))
                #expect(response.status == 200)
                #expect(response.header("Content-Encoding") == "gzip")
                #expect(response.body == plain)
                let acceptEncoding = try #require(server.requests.first?.header("Accept-Encoding"))
                #expect(acceptEncoding.contains("gzip"))
            }
        }
    }
}
