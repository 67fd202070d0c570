import NIOCore

/// One write to the connection: the encoded bytes and who waits for the replies.
struct RedisRequest: Sendable {
    enum Responder: Sendable {
        /// One command, one reply.
        case single(EventLoopPromise<RESPValue>)
        /// `count` pipelined commands written at once; the replies in order.
        case batch(EventLoopPromise<[RESPValue]>, count: Int)
        /// (P)SUBSCRIBE / (P)UNSUBSCRIBE: one confirmation per name, in order.
        case subscription(EventLoopPromise<Void>, expected: [RedisSubscriptionConfirmation])
    }

    var bytes: ByteBuffer
    var responder: Responder
}

/// A confirmation the server sends for each name in a (P)SUBSCRIBE / (P)UNSUBSCRIBE.
struct RedisSubscriptionConfirmation: Sendable, Hashable {
    enum Kind: String, Sendable, Hashable {
        case subscribe, unsubscribe, psubscribe, punsubscribe
    }

    var kind: Kind
    var name: String
}

/// A pub/sub delivery, as the channel handler hands it to the subscriber.
enum RedisPushMessage: Sendable {
    case message(channel: ByteBuffer, payload: ByteBuffer)
    case patternMessage(pattern: ByteBuffer, channel: ByteBuffer, payload: ByteBuffer)
}
