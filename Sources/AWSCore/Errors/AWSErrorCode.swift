/// AWS error codes as the project keeps them: `ThrottlingException`, `AWS.SimpleQueueService.NonExistentQueue`.
///
/// A code comes from whoever answers at the endpoint, so it is reduced before it is kept: every
/// character outside `[A-Za-z0-9._]` becomes `_`, and it is cut at ``maxLength``. Real AWS codes
/// pass unchanged; a forged one cannot break a log line or a Prometheus label.
public enum AWSErrorCode {
    public static let maxLength = 100

    /// `raw` reduced to `[A-Za-z0-9._]` and ``maxLength``; `nil` when nothing is left.
    public static func reduced(_ raw: some StringProtocol) -> String? {
        var code = ""
        for scalar in raw.unicodeScalars.prefix(maxLength) {
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", ".", "_":
                code.unicodeScalars.append(scalar)
            default:
                code.unicodeScalars.append("_")
            }
        }
        return code.isEmpty ? nil : code
    }
}
