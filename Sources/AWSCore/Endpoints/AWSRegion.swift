/// Region resolution: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the shared config profile's
/// region when the caller passes one.
public enum AWSRegion {
    public static func resolve(
        explicit: String? = nil, environment: [String: String], profileRegion: String? = nil
    ) throws(AWSError) -> String {
        let candidates: [(String?, String)] = [
            (explicit, "--region"),
            (environment["AWS_REGION"], "AWS_REGION"),
            (environment["AWS_DEFAULT_REGION"], "AWS_DEFAULT_REGION"),
            (profileRegion, "region (shared config profile)"),
        ]
        for (value, key) in candidates {
            guard let value, !value.isEmpty else { continue }
            guard isValid(value) else {
                throw AWSError.configuration("'\(value)' is not an AWS region name such as eu-west-1", key: key)
            }
            return value
        }
        throw AWSError.configuration("no AWS region is set: set AWS_REGION (for example AWS_REGION=eu-west-1)", key: "AWS_REGION")
    }

    /// Region names are lower-case words and digits joined by dashes (`us-east-1`,
    /// `us-gov-west-1`, `cn-north-1`); anything else must never reach a host name.
    public static func isValid(_ region: String) -> Bool {
        let labels = region.split(separator: "-", omittingEmptySubsequences: false)
        guard labels.count >= 3, region.utf8.count <= 32 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty
                && label.utf8.allSatisfy {
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                }
        }
    }

    /// The DNS suffix of the region's partition.
    static func dnsSuffix(of region: String) -> String {
        region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
    }

    /// The region that hosts a global service's endpoint in the region's partition.
    static func globalRegion(for region: String) -> String {
        if region.hasPrefix("cn-") { return "cn-northwest-1" }
        if region.hasPrefix("us-gov-") { return "us-gov-west-1" }
        return "us-east-1"
    }
}
