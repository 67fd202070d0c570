import NIOCore

/// nchan's own message frame on Redis, for `--bus nchan`: what nchan itself publishes in
/// `nchan_redis_storage_mode nostore` and what its Redis subscriber accepts on the channel
/// `<namespace>{channel:<id>}:pubsub` (anything else, plain JSON included, is logged as "invalid
/// msgpack message from redis" and dropped).
///
/// From nchan 1.3.6, `src/store/redis/rdsstore.c`: the publisher hand-rolls this msgpack array in
/// `redis_publish_message_send` (its nostore branch), and
/// `redis_subscriber_callback` with `cmp_to_msg` reads it back:
///
///     9A             fixarray of 10
///     A3 "msg"       message type
///     CE <ttl>       uint32 BE, seconds the message lives (nchan's buffer, not Redis)
///     CE <time>      uint32 BE, message id time (Unix seconds)
///     00             message id tag
///     00 00          previous id time and tag (0 in nostore mode)
///     DB <len> data  str32: the message body, delivered as the WebSocket text frame's payload
///     D9 00          str8: content type (empty)
///     D9 00          str8: EventSource event name (empty)
///     00             compression (none)
///
/// nchan's own nostore publisher sends every message of a second with the same id (time:0), so
/// the id needs no sequence.
enum NchanFrame {
    /// The Redis pub/sub channel nchan subscribes to for a channel id (empty namespace, the
    /// default; nchan's channel ids start with `/`).
    static func redisChannel(for channelID: String) -> String {
        "{channel:/\(channelID)}:pubsub"
    }

    /// The frame carrying `message`, with id time `unixSeconds`.
    static func encode(_ message: [UInt8], unixSeconds: UInt32, ttlSeconds: UInt32 = 60) -> ByteBuffer {
        var frame = ByteBuffer()
        frame.reserveCapacity(message.count + 26)
        frame.writeBytes([0x9A, 0xA3] + Array("msg".utf8))
        frame.writeInteger(UInt8(0xCE))
        frame.writeInteger(ttlSeconds)
        frame.writeInteger(UInt8(0xCE))
        frame.writeInteger(unixSeconds)
        frame.writeBytes([0x00, 0x00, 0x00])
        frame.writeInteger(UInt8(0xDB))
        frame.writeInteger(UInt32(message.count))
        frame.writeBytes(message)
        frame.writeBytes([0xD9, 0x00, 0xD9, 0x00, 0x00])
        return frame
    }
}
