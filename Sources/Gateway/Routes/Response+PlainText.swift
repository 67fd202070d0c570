import Hummingbird
import NIOCore

extension Response {
    /// A `text/plain` answer whose body is `text` and a newline.
    static func plainText(_ status: HTTPResponse.Status, _ text: String, contentType: String = "text/plain") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
