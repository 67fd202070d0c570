import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A blocking TCP connection to 127.0.0.1, with send and receive timeouts: what the harnesses'
/// start-up checks need (moto's HTTP endpoints, a cluster node's RESP) without a client library.
/// The socket closes when the value goes away.
final class LoopbackSocket {
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { self.message }
    }

    let port: Int
    private let fd: Int32

    /// Connects, with `timeout` on every later send and receive.
    init(port: Int, timeout: Duration) throws(Failure) {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(message: "socket() failed: errno \(errno)") }
        let (seconds, attoseconds) = timeout.components
        var time = timeval(tv_sec: Int(seconds), tv_usec: .init(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let failure = Failure(message: "connect to 127.0.0.1:\(port) failed: errno \(errno)")
            close(fd)
            throw failure
        }
        self.port = port
        self.fd = fd
    }

    deinit { close(self.fd) }

    /// Writes every byte.
    func send(_ bytes: [UInt8]) throws(Failure) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { systemSend(self.fd, $0.baseAddress, $0.count) }
            guard count > 0 else { throw Failure(message: "send to 127.0.0.1:\(self.port) failed: errno \(errno)") }
            sent += count
        }
    }

    /// One `recv` into `buffer`: the count read, 0 when the peer closed, below 0 on an error
    /// (with `errno` set).
    func receive(into buffer: inout [UInt8]) -> Int {
        buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
    }
}

/// The C library's `send(2)`, out of reach of ``LoopbackSocket/send(_:)``'s name.
private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    send(fd, bytes, count, 0)
}
