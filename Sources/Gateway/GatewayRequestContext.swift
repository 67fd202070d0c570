import Hummingbird
import NIOCore

/// The request context of the gateway's routes: hummingbird's basic one, plus the client's
/// address (the pending-handshake budget of Engine.IO is counted per address).
struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
