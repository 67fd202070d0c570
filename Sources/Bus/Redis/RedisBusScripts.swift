import Redis

/// The Lua scripts of the Redis bus. Each runs atomically on the server, so the lease check and
/// what it guards can never be split by another worker's command.
enum RedisBusScripts {
    /// KEYS: leader, epoch. ARGV: token, ttl ms.
    /// Takes the lease if free and returns the new epoch; if the caller already holds it, extends
    /// it and returns the current epoch; otherwise -1.
    static let acquire = RedisScript(
        """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return redis.call('INCR', KEYS[2])
        end
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return tonumber(redis.call('GET', KEYS[2]) or '0')
        end
        return -1
        """)

    /// KEYS: leader. ARGV: token, ttl ms. Compare and extend: 1 if extended, 0 if not held.
    static let renew = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """)

    /// KEYS: leader. ARGV: token. Compare and delete.
    static let release = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """)

    /// The next stream id after the newest entry of KEYS[2], from the server's clock (Redis's own rule).
    private static let nextID = """
        local function next_id(log)
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          local last = redis.call('XREVRANGE', log, '+', '-', 'COUNT', 1)
          if #last > 0 then
            local ms, seq = string.match(last[1][1], '^(%d+)-(%d+)$')
            ms = tonumber(ms)
            if now <= ms then return string.format('%d-%d', ms, tonumber(seq) + 1) end
          end
          return string.format('%d-0', now)
        end
        """

    /// A MessagePack string (`notepack.io` `lib/encode.js`: fixstr below 32 bytes, str 8 below
    /// 256, str 16 beyond): header and bytes. Stream ids are at most 41 ASCII bytes.
    private static let messagePackString = """
        local function msgpack_str(s)
          local n = #s
          if n < 32 then return string.char(0xa0 + n) .. s end
          if n < 256 then return string.char(0xd9, n) .. s end
          return string.char(0xda, math.floor(n / 256), n % 256) .. s
        end
        """

    /// KEYS: leader, log, channel, cursor (one hash slot in a cluster: the key layout's hash tag).
    /// ARGV: token, maxlen, envelope prefix, envelope suffix, publish command (`PUBLISH`, or
    /// `SPUBLISH` on a cluster's shard channel), Socket.IO emitter channel (empty when disabled),
    /// emitter prefix, emitter suffix, cursor field count N, then N name/value pairs.
    /// Checks the lease, stores `prefix .. id .. suffix` in the log under `id`, publishes the same
    /// bytes, publishes `emitter prefix .. msgpack_str(id) .. emitter suffix` on the emitter
    /// channel (``SocketIOEmitterMessage``; classic PUBLISH, which a cluster broadcasts, so it is
    /// not a key) and replaces the cursor, all or nothing: a fenced leader emits nothing either.
    /// Returns the id, or "FENCED".
    static let publish = RedisScript(
        nextID + "\n" + messagePackString + """

            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'FENCED' end
            local id = next_id(KEYS[2])
            local envelope = ARGV[3] .. id .. ARGV[4]
            redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], id, 'e', envelope)
            redis.call(ARGV[5], KEYS[3], envelope)
            if ARGV[6] ~= '' then
              redis.call('PUBLISH', ARGV[6], ARGV[7] .. msgpack_str(id) .. ARGV[8])
            end
            local fields = tonumber(ARGV[9])
            if fields > 0 then
              redis.call('DEL', KEYS[4])
              for i = 0, fields - 1 do
                redis.call('HSET', KEYS[4], ARGV[10 + 2 * i], ARGV[11 + 2 * i])
              end
            end
            return id
            """)

    /// KEYS: leader, log, channel. ARGV: token, envelope prefix, envelope suffix, publish command.
    /// Publishes a heartbeat (not stored) stamped with the newest stored id, or "0-0".
    static let heartbeat = RedisScript(
        """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'FENCED' end
        local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
        local id = '0-0'
        if #last > 0 then id = last[1][1] end
        redis.call(ARGV[4], KEYS[3], ARGV[2] .. id .. ARGV[3])
        return id
        """)
}
