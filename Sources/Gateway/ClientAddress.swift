import NIOCore

/// The address a client's pending-handshake budget is counted against: its IPv4 address, or the
/// /64 network of its IPv6 address (one host commonly holds a whole /64, so counting single IPv6
/// addresses would not bound it). Behind a proxy or load balancer every client shares the
/// proxy's address: the per-address budget is then the proxy's.
struct ClientAddress: Hashable, Sendable, CustomStringConvertible {
    let description: String

    /// Clients whose address is not known (a Unix socket, a test channel) share one budget.
    static let unknown = ClientAddress(description: "unknown")

    init(description: String) {
        self.description = description
    }

    init(_ address: SocketAddress?) {
        switch address {
        case .v4(let v4):
            description = address?.ipAddress ?? v4.host
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            let bytes = withUnsafeBytes(of: &raw) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                // An IPv4 client of a dual-stack socket (::ffff:a.b.c.d): its IPv4 address.
                description = bytes[12...].map { String($0) }.joined(separator: ".")
            } else {
                // The first 8 bytes: the /64 prefix.
                let groups = stride(from: 0, to: 8, by: 2).map {
                    String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
                }
                description = groups.joined(separator: ":") + "::/64"
            }
        case .unixDomainSocket, .none:
            self = .unknown
        }
    }
}
