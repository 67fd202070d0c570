/// How a service wants its requests signed. The defaults suit every service except S3;
/// use ``s3`` for S3.
public struct SigV4Options: Sendable, Hashable {
    /// How the canonical URI encodes the path.
    public struct URIEncoding: Sendable, Hashable {
        enum Value: Sendable, Hashable { case single, double }
        let value: Value
        /// The canonical URI is the URL path percent-encoded once more (every service but S3).
        public static let double = URIEncoding(value: .double)
        /// The canonical URI is the URL path as it is (S3).
        public static let single = URIEncoding(value: .single)
    }

    /// Whether `.`/`..` segments and repeated slashes are removed from the canonical URI.
    public struct PathNormalization: Sendable, Hashable {
        let isEnabled: Bool
        /// RFC 3986 dot-segment removal and slash folding (every service but S3).
        public static let enabled = PathNormalization(isEnabled: true)
        /// The path is signed exactly as given (S3: `a//b` and `a/./b` are distinct keys).
        public static let disabled = PathNormalization(isEnabled: false)
    }

    /// Whether the signer adds and signs an `x-amz-content-sha256` header (header signing only).
    public struct ContentHashHeader: Sendable, Hashable {
        let isIncluded: Bool
        public static let omitted = ContentHashHeader(isIncluded: false)
        /// Required by S3, optional elsewhere.
        public static let included = ContentHashHeader(isIncluded: true)
    }

    /// Where a session token goes relative to the signature.
    public struct SessionToken: Sendable, Hashable {
        let isSigned: Bool
        /// `X-Amz-Security-Token` is part of the signed headers (or signed query).
        public static let signed = SessionToken(isSigned: true)
        /// `X-Amz-Security-Token` is added after signing and not covered by it (IoT and a few
        /// older services).
        public static let addedAfterSigning = SessionToken(isSigned: false)
    }

    public var uriEncoding: URIEncoding = .double
    public var pathNormalization: PathNormalization = .enabled
    public var contentHashHeader: ContentHashHeader = .omitted
    public var sessionToken: SessionToken = .signed

    /// Every service but S3: double URI encoding, normalized path, no content-hash header.
    public static let `default` = SigV4Options()
    /// S3: single URI encoding, path not normalized, `x-amz-content-sha256` signed.
    public static let s3 = SigV4Options(
        uriEncoding: .single,
        pathNormalization: .disabled,
        contentHashHeader: .included
    )
}
