import HTTPTypes
import Hummingbird
import NIOCore
import TextFormats

/// The live page served at `GET /`: one self-contained HTML document (inline CSS and JS, no
/// external scripts, fonts or images) that connects to `/ws` on the same origin, subscribes to
/// the six streams and renders them.
///
/// Its markup, style sheet and script are `live-page.html`, `live-page.css` and `live-page.js`
/// beside this file, compiled into the binary (SwiftPM's `embedInCode`), so the release binary
/// carries them alone (the Docker image copies only the binary) and the served page stays one
/// document. Each response gets a fresh CSP nonce for the inline `<script>` and `<style>`;
/// nothing else may run, load or connect except to this host.
enum LivePage {
    /// The page for `request`; `requiresToken` tells the page to ask for a token before connecting.
    static func response(to request: Request, requiresToken: Bool) -> Response {
        let nonce = makeNonce()
        let html = template.render(["nonce": nonce, "auth": requiresToken ? "required" : "anonymous"])
        let headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-cache",
            .contentSecurityPolicy: contentSecurityPolicy(nonce: nonce, authority: request.head.authority),
            .xContentTypeOptions: "nosniff",
        ]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Only the inline script and style carrying `nonce` run; connections go to this origin, which
    /// includes its `ws:`/`wss:` forms (named explicitly when the `Host` is a plain host[:port]).
    static func contentSecurityPolicy(nonce: String, authority: String?) -> String {
        var connect = "'self'"
        if let authority, isPlainAuthority(authority) {
            connect += " ws://\(authority) wss://\(authority)"
        }
        return [
            "default-src 'none'",
            "script-src 'nonce-\(nonce)'",
            "style-src 'nonce-\(nonce)'",
            "img-src 'self' data:",
            "connect-src \(connect)",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ].joined(separator: "; ")
    }

    /// A `Host` value safe to copy into the policy: letters, digits, `.`, `-`, `:` and IPv6 brackets.
    static func isPlainAuthority(_ authority: String) -> Bool {
        guard !authority.isEmpty, authority.utf8.count <= 255 else { return false }
        return authority.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"),
                UInt8(ascii: "["), UInt8(ascii: "]"):
                return true
            default:
                return false
            }
        }
    }

    /// 128 random bits in hex (hex digits are valid nonce characters).
    static func makeNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        let words = [generator.next(), generator.next()] as [UInt64]
        return words.map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// The document, parsed once into literal text and `{{slots}}` (`nonce`, and `auth`: `required`
    /// or `anonymous`). The markup's `{{live-page.css}}` and `{{live-page.js}}` are filled with the
    /// two files first, once.
    static let template: TextTemplate = {
        let markup = String(decoding: PackageResources.live_page_html, as: UTF8.self)
        let style = String(decoding: PackageResources.live_page_css, as: UTF8.self)
        let script = String(decoding: PackageResources.live_page_js, as: UTF8.self)
        return TextTemplate(
            markup.replacing("{{live-page.css}}", with: style).replacing("{{live-page.js}}", with: script))
    }()
}
