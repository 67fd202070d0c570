import AWSCore

/// Which `aws_realtime_worker_aws_errors_total` series an error counts in.
///
/// The code comes from whoever answers at the AWS endpoint, so a hostile or broken one could
/// otherwise forge label text or add a series per answer, forever. The code (and the operation)
/// are reduced to `[A-Za-z0-9._]` (``AWSErrorCode``), and each stream and operation keeps at most
/// ``maxCodesPerOperation`` codes: errors of any further code count under `other`.
enum AWSErrorSeries {
    static let maxCodesPerOperation = 64
    static let other = "other"

    /// The key to count the error keyed `key` (`stream|operation|code`, or `stream|error type`,
    /// as ``StreamPoller/errorKey(stream:error:)`` builds it) under, given the keys counted so far.
    static func key(for key: String, among counted: some Collection<String>) -> String {
        let parts = key.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        let stream = parts.first.map(String.init) ?? ""
        let reduced: String
        let prefix: String
        if parts.count == 3 {
            prefix = stream + "|" + (AWSErrorCode.reduced(parts[1]) ?? "unknown") + "|"
            reduced = prefix + (AWSErrorCode.reduced(parts[2]) ?? "unknown")
        } else {
            prefix = stream + "|"
            reduced = prefix + (parts.count > 1 ? AWSErrorCode.reduced(parts[1]) ?? "unknown" : "unknown")
        }
        if counted.contains(reduced) { return reduced }
        // Keys of this stream and operation (for `stream|type` keys: of this stream without an operation).
        let codes = counted.lazy.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("|") }.count
        return codes < maxCodesPerOperation ? reduced : prefix + other
    }
}
