import AWSServices
import Foundation
import Payloads

extension ActivityEvent {
    /// Who, what, where and which resources, from the parsed record where there is one and from
    /// what LookupEvents lists otherwise.
    init(_ event: CloudTrailEvent, record: CloudTrailEventRecord?, time: Int64) {
        let identity = record?.userIdentity
        let listed = event.resources.map { Resource(type: $0.resourceType, name: $0.resourceName) }
        let recorded = (record?.resources ?? []).map { Resource(type: $0.type, name: $0.arn) }
        self.init(
            id: event.eventId,
            time: PayloadTime.string(milliseconds: time),
            eventSource: record?.eventSource ?? event.eventSource ?? "",
            eventName: record?.eventName ?? event.eventName ?? "",
            readOnly: record?.readOnly ?? event.isReadOnly,
            errorCode: record?.errorCode,
            errorMessage: record?.errorMessage,
            who: Actor(
                type: identity?.type,
                userName: Self.userName(identity, listed: event.username),
                arn: identity?.arn,
                accessKeyId: identity?.accessKeyId ?? event.accessKeyId,
                principalId: identity?.principalId),
            awsRegion: record?.awsRegion,
            sourceIPAddress: record?.sourceIPAddress,
            userAgent: record?.userAgent,
            resources: listed.isEmpty ? recorded : listed)
    }

    /// For an assumed role, the role (the session issuer's userName, or the role in the
    /// assumed-role ARN); otherwise the user name, else LookupEvents' `Username`.
    static func userName(_ identity: CloudTrailEventRecord.UserIdentity?, listed: String?) -> String? {
        if identity?.type == "AssumedRole" {
            if let issuer = identity?.sessionIssuerUserName { return issuer }
            if let role = identity?.arn.flatMap(roleName(inAssumedRoleARN:)) { return role }
        }
        return identity?.userName ?? listed
    }

    /// `my-role` in `arn:aws:sts::123456789012:assumed-role/my-role/my-session`.
    static func roleName(inAssumedRoleARN arn: String) -> String? {
        let resource = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).last ?? ""
        let parts = resource.split(separator: "/")
        guard parts.count >= 2, parts[0] == "assumed-role" else { return nil }
        return String(parts[1])
    }
}
