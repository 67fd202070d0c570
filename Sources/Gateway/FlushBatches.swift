import NIOCore

/// The connections that need a flush after one relay, grouped by event loop, so each loop gets
/// one `execute` per burst whatever the number of sockets. A process has a handful of loops: a
/// linear scan finds a connection's group faster than hashing.
struct FlushBatches {
    private var batches: [(loop: any EventLoop, connections: [GatewayConnection])] = []

    var isEmpty: Bool { batches.isEmpty }

    mutating func add(_ connection: GatewayConnection, on loop: any EventLoop) {
        for index in batches.indices where batches[index].loop === loop {
            batches[index].connections.append(connection)
            return
        }
        batches.append((loop, [connection]))
    }

    /// One `execute` per loop, flushing every connection of that loop.
    func schedule() {
        for (loop, connections) in batches {
            loop.execute {
                for connection in connections { connection.flushOnEventLoop() }
            }
        }
    }
}
