import Hummingbird
import NIOCore

/// Hummingbird's basic request context plus the connection's channel: an SSE stream ends when
/// its channel closes (the client left, or half-closed it), not at its next failed write.
struct GatewayRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
