/// The `--require-signature` check: an `Authorization` header in SigV4 form must be present and
/// well-formed. The signature itself is not verified (the replay server has no secret key).
///
/// Well-formed: `AWS4-HMAC-SHA256 Credential=<key id>/<yyyyMMdd>/<region>/<service>/aws4_request,
/// SignedHeaders=<lower-case names separated by ;>, Signature=<64 lower-case hex digits>`.
public enum ReplaySignatureCheck {
    public struct Problem: Sendable, Hashable {
        /// True when the header is missing altogether (`MissingAuthenticationToken`), false when malformed
        /// (`IncompleteSignature`).
        public var isMissing: Bool
        public var message: String
    }

    /// Nil when the header is well-formed.
    public static func problem(authorization: String?) -> Problem? {
        guard let authorization, !authorization.isEmpty else {
            return Problem(isMissing: true, message: "Missing Authentication Token")
        }
        let algorithm = "AWS4-HMAC-SHA256 "
        guard authorization.hasPrefix(algorithm) else {
            return Problem(isMissing: false, message: "Authorization header must start with \(algorithm)")
        }
        var components: [String: String] = [:]
        for part in authorization.dropFirst(algorithm.count).split(separator: ",") {
            let trimmed = part.drop { $0 == " " }
            guard let equals = trimmed.firstIndex(of: "=") else {
                return Problem(isMissing: false, message: "Authorization component '\(trimmed)' is not name=value")
            }
            components[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        guard let credential = components["Credential"] else {
            return Problem(isMissing: false, message: "Authorization header requires 'Credential' parameter.")
        }
        guard let signedHeaders = components["SignedHeaders"] else {
            return Problem(isMissing: false, message: "Authorization header requires 'SignedHeaders' parameter.")
        }
        guard let signature = components["Signature"] else {
            return Problem(isMissing: false, message: "Authorization header requires 'Signature' parameter.")
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard scope.count == 5, !scope[0].isEmpty, scope[1].count == 8, scope[1].allSatisfy(\.isASCIIDigit),
            !scope[2].isEmpty, scope[2].allSatisfy({ $0.isASCIILowerAlphanumeric || $0 == "-" }), !scope[3].isEmpty,
            scope[4] == "aws4_request"
        else {
            return Problem(
                isMissing: false,
                message:
                    "Credential should be scoped to a valid region and service: <key id>/<yyyyMMdd>/<region>/<service>/aws4_request"
            )
        }
        let headers = signedHeaders.split(separator: ";", omittingEmptySubsequences: false)
        guard !headers.isEmpty, headers.allSatisfy({ !$0.isEmpty && $0 == $0.lowercased() }) else {
            return Problem(isMissing: false, message: "SignedHeaders must be lower-case header names separated by ';'")
        }
        guard signature.count == 64, signature.allSatisfy({ $0.isASCIIDigit || ("a"..."f").contains($0) }) else {
            return Problem(isMissing: false, message: "Signature must be 64 lower-case hexadecimal digits")
        }
        return nil
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    fileprivate var isASCIILowerAlphanumeric: Bool { isASCIIDigit || ("a"..."z").contains(self) }
}
