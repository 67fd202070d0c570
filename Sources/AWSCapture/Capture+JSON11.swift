import AWSCore

extension Capture {
    /// A capture of one call in AWS's JSON 1.1 protocol (CloudTrail, CloudWatch Logs, Health,
    /// Cost Explorer, Security Hub's JSON APIs): a POST to `/` naming its operation in
    /// `X-Amz-Target`, answered with `status` and `response`. For tests and demo data written in
    /// code rather than recorded.
    public static func json11(
        _ name: String, target: String, request: String, response: String, status: Int = 200,
        requestID: String = "11111111-2222-3333-4444-555555555555"
    ) -> Capture {
        Capture(
            name: name,
            request: CapturedRequest(
                method: "POST", path: "/",
                headers: [
                    AWSHTTPHeader("X-Amz-Target", target), AWSHTTPHeader("Content-Type", "application/x-amz-json-1.1"),
                ],
                body: Array(request.utf8)),
            response: CapturedResponse(
                status: status,
                headers: [
                    AWSHTTPHeader("x-amzn-RequestId", requestID), AWSHTTPHeader("Content-Type", "application/x-amz-json-1.1"),
                ],
                body: Array(response.utf8)))
    }
}
