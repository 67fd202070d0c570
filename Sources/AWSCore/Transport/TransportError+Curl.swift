import CCurl

extension TransportError {
    /// Classifies a failed libcurl transfer. The message carries libcurl's own error text
    /// (`CURLOPT_ERRORBUFFER`, which names hosts and system errors, never header values).
    init(curlCode: CURLcode, transfer: CurlTransfer) {
        let code: Code
        let summary: String
        switch curlCode {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            code = .connectFailed
            summary = "Could not connect"
        case CURLE_OPERATION_TIMEDOUT:
            code = .timedOut
            summary = "Timed out"
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
            code = .connectionReset
            summary = "The connection broke"
        case CURLE_PARTIAL_FILE:
            code = .connectionReset
            summary = "The connection closed before the whole response body arrived"
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED:
            code = .tls
            summary = "TLS failed"
        case CURLE_FILESIZE_EXCEEDED:
            code = .responseTooLarge
            summary = "The response is larger than maxResponseBytes"
        case CURLE_WRITE_ERROR where transfer.isResponseTooLarge:
            code = .responseTooLarge
            summary = "The response is larger than maxResponseBytes"
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            code = .invalidRequest
            summary = "The request cannot be sent"
        default:
            code = .other
            summary = "The request failed"
        }
        let detail = transfer.errorText.isEmpty ? String(cString: curl_easy_strerror(curlCode)) : transfer.errorText
        self.init(
            code: code,
            message: "\(summary) (host \(transfer.host), curl error \(curlCode.rawValue): \(detail))",
            host: transfer.host,
            curlCode: Int(curlCode.rawValue)
        )
    }
}
