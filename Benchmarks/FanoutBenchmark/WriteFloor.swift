import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The floor under any gateway's CPU per delivery on this machine: the kernel's cost of one
/// `write(2)` of a ~200-byte message to each of N loopback TCP sockets, whose other ends NIO
/// channels on another thread read and discard (epoll, as the load client). No framing, no queue,
/// no event loop on the writing side: a plain loop of system calls on one thread, measured with
/// `getrusage(RUSAGE_THREAD)`.
/// On loopback the receiver's TCP input runs in the writer's system call, so it is in the figure,
/// as it is in the gateway's.
enum WriteFloor {
    struct Result {
        var connections: Int
        var writes: Int
        var systemMicroseconds: Double
        var userMicroseconds: Double
    }

    static func run(connections: Int, rate: Int, seconds: Int, group: any EventLoopGroup) async throws -> Result {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw BenchmarkError(message: "socket: errno \(errno)") }
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(listener, raw, length) == 0, listen(listener, 4096) == 0,
                    getsockname(listener, raw, &length) == 0
                else { throw BenchmarkError(message: "bind/listen: errno \(errno)") }
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        var readers: [any Channel] = []
        var writers: [Int32] = []
        defer {
            for fd in writers { close(fd) }
            for channel in readers { channel.close(promise: nil) }
        }
        let bootstrap = ClientBootstrap(group: group).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Discard()) }
        }
        for _ in 0..<connections {
            readers.append(try await bootstrap.connect(host: "127.0.0.1", port: port).get())
            let server = accept(listener, nil, nil)
            guard server >= 0 else { throw BenchmarkError(message: "accept: errno \(errno) (open files limit?)") }
            var one: Int32 = 1
            setsockopt(server, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            writers.append(server)
        }
        try await Task.sleep(for: .seconds(1))
        let fds = writers
        let (writes, system, user) = await Task.detached { measure(fds, rate: rate, seconds: seconds) }.value
        return Result(connections: connections, writes: writes, systemMicroseconds: system, userMicroseconds: user)
    }

    /// The write loop, on one thread, with that thread's CPU time around it.
    private static func measure(_ writers: [Int32], rate: Int, seconds: Int) -> (Int, Double, Double) {
        var message = [UInt8](repeating: UInt8(ascii: "x"), count: 200)
        // RUSAGE_THREAD (1 on Linux) is not in Swift's Glibc module.
        let thread = __rusage_who_t(1)
        var before = rusage()
        getrusage(thread, &before)
        let start = Date()
        var writes = 0
        var round = 0
        while Date().timeIntervalSince(start) < Double(seconds) {
            for fd in writers where write(fd, &message, message.count) == message.count { writes += 1 }
            round += 1
            let wait = start.addingTimeInterval(Double(round) / Double(max(1, rate))).timeIntervalSinceNow
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        }
        var after = rusage()
        getrusage(thread, &after)
        func microseconds(_ a: timeval, _ b: timeval) -> Double {
            Double(b.tv_sec - a.tv_sec) * 1e6 + Double(b.tv_usec - a.tv_usec)
        }
        let count = Double(max(1, writes))
        return (
            writes, microseconds(before.ru_stime, after.ru_stime) / count, microseconds(before.ru_utime, after.ru_utime) / count
        )
    }

    /// Reads and drops what arrives.
    private final class Discard: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    }
}
