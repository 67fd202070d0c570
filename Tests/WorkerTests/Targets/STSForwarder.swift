import Foundation
import TestSupport

/// A local STS for the denied-role test: `AssumeRole` into a role of `deniedAccount` is answered
/// with `AccessDenied` as STS words it; every other request is forwarded to moto as it came.
enum STSForwarder {
    static func answer(_ request: RecordedRequest, motoPort: Int, deniedAccount: String) async -> ScriptedResponse {
        let body = String(decoding: request.body, as: UTF8.self)
        if body.contains("Action=AssumeRole"), body.contains(deniedAccount) {
            return .respond(
                status: 403, headers: [("Content-Type", "text/xml")],
                body: """
                    <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>\
                    <Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/worker is not authorized to \
                    perform: sts:AssumeRole on resource: arn:aws:iam::\(deniedAccount):role/aws-realtime-reader</Message>\
                    </Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>
                    """)
        }
        var raw = "\(request.method) \(request.uri) HTTP/1.1\r\n"
        for (name, value) in request.headers where !["connection", "content-length"].contains(name.lowercased()) {
            raw += "\(name): \(value)\r\n"
        }
        raw += "Content-Length: \(request.body.count)\r\nConnection: close\r\n\r\n\(body)"
        guard let response = try? LoopbackHTTP.exchange(port: motoPort, request: raw, timeoutSeconds: 10),
            let split = response.range(of: "\r\n\r\n"),
            let status = response.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap({ Int($0) })
        else { return .respond(status: 502, body: "moto did not answer") }
        let headers = response[..<split.lowerBound].split(separator: "\r\n").dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = String(line[..<colon])
            guard name.lowercased() == "content-type" else { return nil }
            return (name, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return .respond(status: status, headers: headers, body: String(response[split.upperBound...]))
    }
}
