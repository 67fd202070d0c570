import Hummingbird
import NIOCore

/// The request context of the gateway's routes: hummingbird's basic one, plus the connection's
/// channel (an SSE stream ends when its channel closes: the client left, or half-closed it), the
/// client's address (the pending-handshake budget of Engine.IO is counted per address) and, on the
/// client routes, the client's grant.
struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    let remoteAddress: SocketAddress?
    /// What the client's token allows, once ``ClientAuthorizationMiddleware`` admitted it.
    var grant: GatewayGrant?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
        self.remoteAddress = source.channel.remoteAddress
    }
}
