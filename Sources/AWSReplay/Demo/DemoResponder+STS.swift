import AWSCapture
import TextFormats

extension DemoResponder {
    /// What the demo answers an STS call that can be refused.
    enum STSAnswer {
        case answer(String)
        case refused(CaptureErrorResponse)
    }

    /// `AssumeRole` into any role of any account: credentials whose access key names the role's
    /// account (``DemoCaller``), so every later request signed with them is answered in that
    /// account. A worker with many targets runs against one demo endpoint this way; the demo
    /// trusts every caller, as it accepts every signature.
    func assumeRole(_ request: DemoRequest, now: Double) -> STSAnswer {
        guard let roleArn = request.form["RoleArn"], let role = AWSIdentifierSyntax.iamRole(arn: roleArn) else {
            return .refused(
                CaptureErrorResponse(
                    status: 400, code: "ValidationError",
                    message: "RoleArn must be arn:aws:iam::<12-digit account>:role/<name>"))
        }
        let sessionName = request.form["RoleSessionName"] ?? ""
        guard AWSIdentifierSyntax.isRoleSessionName(sessionName) else {
            return .refused(
                CaptureErrorResponse(
                    status: 400, code: "ValidationError",
                    message: "RoleSessionName must be 2 to 64 of [\\w+=,.@-]"))
        }
        // STS's range: 15 minutes to 12 hours (the role's maximum is not modelled), default 1 hour.
        let duration = request.form["DurationSeconds"].map { Int($0) ?? -1 } ?? 3600
        guard (900...43_200).contains(duration) else {
            return .refused(
                CaptureErrorResponse(
                    status: 400, code: "ValidationError", message: "DurationSeconds must be between 900 and 43200"))
        }
        let slot = Int(now)
        return .answer(
            fill(
                DemoCaptures.assumeRole,
                [
                    "account": role.account, "roleName": role.name, "sessionName": sessionName,
                    "accessKeyId": DemoCaller.accessKey(for: role.account),
                    "secretAccessKey": DemoResponder.secretAccessKey,
                    "sessionToken": DemoSignal.uuid("session", slot), "expiration": DemoClock.iso8601(now + Double(duration)),
                ], slot: slot))
    }
}
