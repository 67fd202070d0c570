extension RedisConfiguration {
    /// Parses `redis://[user[:password]@]host[:port][/db]`, or `rediss://` for TLS;
    /// `redis+cluster://` and `rediss+cluster://` name a Redis Cluster seed (no database).
    ///
    /// User and password may be percent-encoded. Fields the URL does not set keep the values of
    /// `defaults`. Errors never repeat the URL, which may hold a password.
    public init(url: String, defaults: RedisConfiguration = RedisConfiguration()) throws(RedisClientError) {
        self = defaults
        var rest: Substring
        if url.hasPrefix("redis://") || url.hasPrefix("redis+cluster://") {
            rest = url.dropFirst("redis".count)
        } else if url.hasPrefix("rediss://") || url.hasPrefix("rediss+cluster://") {
            rest = url.dropFirst("rediss".count)
            if !self.tls.isEnabled {
                self.tls = .enabled()
            }
        } else {
            throw Self.invalid(
                "the Redis URL must start with redis://, rediss://, redis+cluster:// or rediss+cluster://")
        }
        if rest.hasPrefix("+cluster") {
            self.cluster = .enabled
            rest = rest.dropFirst("+cluster".count)
        }
        rest = rest.dropFirst("://".count)
        var authority = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        if let query = path.firstIndex(of: "?") {
            path = path[..<query]
        }
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = try Self.percentDecoded(userInfo[..<colon], field: "user name")
                self.username = user.isEmpty ? nil : user
                self.password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...], field: "password")
            } else {
                let user = try Self.percentDecoded(userInfo, field: "user name")
                self.username = user.isEmpty ? nil : user
            }
        }
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw Self.invalid("the Redis URL has an IPv6 host without a closing ]")
            }
            self.host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw Self.invalid("the Redis URL has text after the IPv6 host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            self.host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            self.host = String(authority)
        }
        guard !self.host.isEmpty else {
            throw Self.invalid("the Redis URL has no host")
        }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw Self.invalid("the Redis URL port must be a number from 1 to 65535")
            }
            self.port = port
        }
        if !path.isEmpty {
            guard let database = Int(path), database >= 0 else {
                throw Self.invalid("the Redis URL path must be a database number, like /0")
            }
            self.database = database
        }
        try self.checkClusterDatabase(source: "the Redis URL")
    }

    /// Reads `REDIS_URL`, or else the older `REDIS_HOST` and `REDIS_PORT`; then `REDIS_USERNAME`,
    /// `REDIS_PASSWORD`, `REDIS_DB` and `REDIS_TLS_CA_FILE` override their fields when set, and
    /// `REDIS_CLUSTER` (`true`, `false` or `auto`) chooses cluster mode.
    /// The caller passes the environment (the library never reads the process environment).
    public init(environment: [String: String], defaults: RedisConfiguration = RedisConfiguration()) throws(RedisClientError) {
        self = defaults
        if let url = environment["REDIS_URL"], !url.isEmpty {
            do {
                self = try RedisConfiguration(url: url, defaults: defaults)
            } catch {
                throw Self.invalid("REDIS_URL: \(error.message)")
            }
        } else {
            if let host = environment["REDIS_HOST"], !host.isEmpty {
                self.host = host
            }
            if let portText = environment["REDIS_PORT"], !portText.isEmpty {
                guard let port = Int(portText), (1...65535).contains(port) else {
                    throw Self.invalid("REDIS_PORT must be a number from 1 to 65535, not \(portText)")
                }
                self.port = port
            }
        }
        if let username = environment["REDIS_USERNAME"], !username.isEmpty {
            self.username = username
        }
        if let password = environment["REDIS_PASSWORD"], !password.isEmpty {
            self.password = password
        }
        if let databaseText = environment["REDIS_DB"], !databaseText.isEmpty {
            guard let database = Int(databaseText), database >= 0 else {
                throw Self.invalid("REDIS_DB must be a database number, not \(databaseText)")
            }
            self.database = database
        }
        if let caFile = environment["REDIS_TLS_CA_FILE"], !caFile.isEmpty {
            self.tls = .enabled(caFile: caFile, serverName: self.tls.serverName)
        }
        if let clusterText = environment["REDIS_CLUSTER"], !clusterText.isEmpty {
            guard let cluster = Cluster(clusterText) else {
                throw Self.invalid("REDIS_CLUSTER must be true, false or auto, not \(clusterText)")
            }
            self.cluster = cluster
        }
        try self.checkClusterDatabase(source: "REDIS_DB")
    }

    /// A cluster has only database 0: refuse another rather than send a SELECT it would reject.
    private func checkClusterDatabase(source: String) throws(RedisClientError) {
        guard !self.cluster.isDisabled, self.database != 0 else { return }
        throw Self.invalid(
            "\(source) selects database \(self.database), but a Redis Cluster has only database 0: remove it, or set REDIS_CLUSTER=false"
        )
    }

    private static func invalid(_ message: String) -> RedisClientError {
        RedisClientError(code: .invalidConfiguration, message: message)
    }

    private static func percentDecoded(_ text: Substring, field: String) throws(RedisClientError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                    throw Self.invalid("the Redis URL \(field) has a broken percent escape")
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
