/// Names a task suspended on the hub (until a stream is subscribed in the bus, or until every
/// connection has gone), so that its timeout or cancellation can take its continuation back.
struct GatewayHubWaiterID: Hashable, Sendable {
    let value: UInt64
}
