import NIOCore
import NIOPosix

/// Free TCP ports on 127.0.0.1 for test servers.
public enum FreePort {
    /// A port that was free a moment ago: bound to port 0 on loopback, read, and released.
    public static func next() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        guard port > 0 else {
            throw FreePortError()
        }
        return port
    }

    struct FreePortError: Error, CustomStringConvertible {
        var description: String { "could not find a free port on 127.0.0.1" }
    }
}
