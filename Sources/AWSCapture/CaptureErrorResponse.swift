import AWSCore
import Foundation
import TextFormats

/// Builds an AWS error response in the shape of a request's wire protocol, as AWS would send it.
///
/// - awsQuery: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`, `text/xml`;
/// - awsJson1_x: `{"__type": code, "message": …}`, `application/x-amz-json-1.x`;
/// - restJson1: header `x-amzn-ErrorType: code`, body `{"message": …}`, `application/json`.
///
/// Every response carries `x-amzn-RequestId`. `extra` members are added to JSON bodies only
/// (the replayer puts its diagnostics there).
public struct CaptureErrorResponse: Sendable {
    public var status: Int
    public var code: String
    public var message: String
    /// `Sender` (the caller's fault) or `Receiver` (the service's), used by the XML shape.
    public var isSenderFault: Bool
    public var extra: [JSONDocument.Member]

    public init(status: Int, code: String, message: String, isSenderFault: Bool = true, extra: [JSONDocument.Member] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.isSenderFault = isSenderFault
        self.extra = extra
    }

    /// The response for a request sent with `wire`; `request` picks the XML namespace (CloudWatch or STS).
    public func response(
        for wire: CaptureWireProtocol, request: CapturedRequest, requestID: String = UUID().uuidString.lowercased()
    )
        -> AWSHTTPResponse
    {
        switch wire {
        case .awsQuery:
            let namespace = CaptureErrorResponse.queryNamespace(for: request)
            let body = """
                <ErrorResponse xmlns="\(namespace)">
                  <Error>
                    <Type>\(isSenderFault ? "Sender" : "Receiver")</Type>
                    <Code>\(CaptureErrorResponse.escapeXML(code))</Code>
                    <Message>\(CaptureErrorResponse.escapeXML(message))</Message>
                  </Error>
                  <RequestId>\(requestID)</RequestId>
                </ErrorResponse>

                """
            return AWSHTTPResponse(
                status: status,
                headers: [AWSHTTPHeader("x-amzn-RequestId", requestID), AWSHTTPHeader("Content-Type", "text/xml")],
                body: Array(body.utf8)
            )
        case .awsJSON(let version):
            let body = JSONDocument.object([.init("__type", .string(code)), .init("message", .string(message))] + extra)
            return AWSHTTPResponse(
                status: status,
                headers: [
                    AWSHTTPHeader("x-amzn-RequestId", requestID),
                    AWSHTTPHeader("Content-Type", "application/x-amz-json-\(version)"),
                ],
                body: Array(body.compactText.utf8)
            )
        case .restJSON:
            let body = JSONDocument.object([.init("message", .string(message))] + extra)
            return AWSHTTPResponse(
                status: status,
                headers: [
                    AWSHTTPHeader("x-amzn-RequestId", requestID),
                    AWSHTTPHeader("x-amzn-ErrorType", code),
                    AWSHTTPHeader("Content-Type", "application/json"),
                ],
                body: Array(body.compactText.utf8)
            )
        }
    }

    /// STS (API version 2011-06-15) or CloudWatch (anything else) error namespace.
    static func queryNamespace(for request: CapturedRequest) -> String {
        let parameters = CaptureForm.parse(request.query) + CaptureForm.parse(String(decoding: request.body, as: UTF8.self))
        if parameters.contains(where: { $0.name == "Version" && $0.value == "2011-06-15" }) {
            return "https://sts.amazonaws.com/doc/2011-06-15/"
        }
        return "http://monitoring.amazonaws.com/doc/2010-08-01/"
    }

    public static func escapeXML(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            default: output.append(character)
            }
        }
        return output
    }
}
