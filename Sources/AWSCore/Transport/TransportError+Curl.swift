import CCurl

extension TransportError {
    /// Classifies a failed libcurl transfer. The message carries libcurl's own error text
    /// (`CURLOPT_ERRORBUFFER`, which names hosts and system errors, never header values).
    init(curlCode: CURLcode, transfer: CurlTransfer) {
        let detail = transfer.errorText.isEmpty ? String(cString: curl_easy_strerror(curlCode)) : transfer.errorText
        let (code, summary) = Self.classify(
            curlCode: curlCode,
            errorText: detail,
            isResponseTooLarge: transfer.isResponseTooLarge
        )
        self.init(
            code: code,
            message: "\(summary) (host \(transfer.host), curl error \(curlCode.rawValue): \(detail))",
            host: transfer.host,
            curlCode: Int(curlCode.rawValue)
        )
    }

    /// The code and a one-line summary for a libcurl result.
    static func classify(curlCode: CURLcode, errorText: String, isResponseTooLarge: Bool) -> (Code, String) {
        switch curlCode {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return (.connectFailed, "Could not connect")
        case CURLE_OPERATION_TIMEDOUT:
            return (.timedOut, "Timed out")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
            return (.connectionReset, "The connection broke")
        case CURLE_PARTIAL_FILE:
            return (.connectionReset, "The connection closed before the whole response body arrived")
        case CURLE_SSL_CONNECT_ERROR where isBrokenConnection(errorText):
            // The peer reset or closed the socket mid-handshake: a network failure, not a TLS verdict.
            return (.connectionReset, "The connection broke during the TLS handshake")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED:
            return (.tls, "TLS failed")
        case CURLE_FILESIZE_EXCEEDED:
            return (.responseTooLarge, "The response is larger than maxResponseBytes")
        case CURLE_WRITE_ERROR where isResponseTooLarge:
            return (.responseTooLarge, "The response is larger than maxResponseBytes or its headers than 256 KiB")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return (.invalidRequest, "The request cannot be sent")
        default:
            return (.other, "The request failed")
        }
    }

    /// OpenSSL's wording (through libcurl) for a socket that failed under the handshake.
    private static func isBrokenConnection(_ errorText: String) -> Bool {
        errorText.contains("Connection reset by peer") || errorText.contains("SSL_ERROR_SYSCALL")
            || errorText.contains("unexpected eof while reading")
    }
}
