import Bus
import NIOCore
import Payloads

/// The connections that need a flush after one relay, grouped by event loop, so each loop gets
/// one `execute` per burst whatever the number of sockets. A process has a handful of loops: a
/// linear scan finds a connection's group faster than hashing. Counts what it queued, for the
/// metrics, once per relay.
struct FlushBatches {
    private var batches: [(loop: any EventLoop, connections: [ClientOutbox])] = []
    private var deliveries = 0
    private var bytes = 0
    /// The message being relayed (`GatewayHubRelaySink`), prepared once for all its subscribers,
    /// and the positions its first SSE subscriber gives it.
    private var current: PreparedMessage?
    private var currentPositions: StreamPositions?
    private var relayed = 0

    var isEmpty: Bool { batches.isEmpty }

    /// Queues `message` to `connection` (under the hub's lock) and notes the flush it needs.
    mutating func enqueue(_ message: PreparedMessage, to connection: ClientOutbox) {
        guard let queued = connection.enqueue(message) else { return }
        deliveries += 1
        bytes += queued.bytes
        if let loop = queued.flushOn { add(connection, on: loop) }
    }

    /// Queues a buffer rendered for `connection` alone (counted by the connection) and notes the
    /// flush it needs.
    mutating func enqueue(_ payload: ByteBuffer, to connection: ClientOutbox) {
        guard let loop = connection.enqueue(payload) else { return }
        add(connection, on: loop)
    }

    mutating func add(_ connection: ClientOutbox, on loop: any EventLoop) {
        for index in batches.indices where batches[index].loop === loop {
            batches[index].connections.append(connection)
            return
        }
        batches.append((loop, [connection]))
    }

    /// One `execute` per loop, flushing every connection of that loop.
    func schedule(metrics: GatewayMetrics) {
        if relayed > 0 { GatewayMetrics.add(metrics.messagesRelayed, relayed) }
        if deliveries > 0 {
            GatewayMetrics.add(metrics.deliveries, deliveries)
            GatewayMetrics.add(metrics.bytesQueued, bytes)
        }
        for (loop, connections) in batches {
            loop.execute {
                for connection in connections { connection.flushOnEventLoop() }
            }
        }
    }
}

extension FlushBatches: GatewayHubRelaySink {
    mutating func relay(_ message: BusMessage, positions: StreamPositions) {
        current = PreparedMessage(message)
        currentPositions = positions
        relayed += 1
    }

    mutating func deliver(to connection: ClientOutbox) {
        guard let current else { return }
        if current.positions == nil, connection.format == .serverSentEvents { current.positions = currentPositions }
        enqueue(current, to: connection)
    }

    mutating func tellToResync(_ connection: ClientOutbox, about stream: StreamName) {
        enqueue(connection.payload(for: .resyncRequired(stream)), to: connection)
    }
}
