import Bus
import Logging
import ServiceLifecycle

/// The first step of the gateway's graceful shutdown, run as the last service of the HTTP
/// server's group (a group shuts its services down last to first): it stops admitting
/// connections, closes every socket with 1001 "going away" and waits for them (at most
/// `timeout`). Only then does the group shut the server down, whose own shutdown would close
/// WebSockets with 1000.
///
/// The server's group shuts down when the gateway's does: a `ServiceGroup` run inside a service
/// follows its parent's graceful shutdown. Ordering the drain as a service of that group, rather
/// than as a task beside it, is what makes it come first.
struct GatewayDrain<Source: SubscriberBus>: Service {
    let hub: GatewayHub<Source>
    let timeout: Duration
    let logger: Logger

    func run() async throws {
        // Cancelled rather than shut down gracefully: there is nothing to drain.
        guard (try? await gracefulShutdown()) != nil else { return }
        logger.info("Draining: closing sockets with 1001 going away")
        hub.beginDrain()
        await hub.waitUntilDrained(timeout: timeout)
    }
}
