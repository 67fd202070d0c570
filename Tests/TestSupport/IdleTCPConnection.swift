import NIOCore
import NIOPosix

/// A TCP connection to 127.0.0.1 that sends nothing, like the spare connections browsers open
/// ahead of need: for testing that a server neither waits for it forever nor leaks it.
public final class IdleTCPConnection: Sendable {
    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects (at most 2 s) and sends nothing.
    public static func open(port: Int) async throws -> IdleTCPConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(2))
            .connect(host: "127.0.0.1", port: port)
            .get()
        return IdleTCPConnection(channel: channel)
    }

    /// Whether the connection is still open (the server has not closed it).
    public var isOpen: Bool { channel.isActive }

    /// Waits until the server closes the connection, at most `timeout`; true when it did.
    public func waitUntilClosedByPeer(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while channel.isActive, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return !channel.isActive
    }

    /// Closes it from this side (a no-op when already closed).
    public func close() async {
        try? await channel.close()
    }
}
