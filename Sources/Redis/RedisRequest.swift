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

extension RedisRequest.Responder {
    /// Fails whoever waits; a promise already completed stays as it was.
    func fail(_ error: RedisClientError) {
        switch self {
        case .single(let promise): promise.fail(error)
        case .batch(let promise, _): promise.fail(error)
        case .subscription(let promise, _): promise.fail(error)
        }
    }
}

extension Channel {
    /// Writes a request. If the write itself fails (the channel already closed, so no handler
    /// saw it), the request fails too instead of waiting forever.
    func writeRedisRequest(_ request: RedisRequest, endpoint: String) {
        let written = self.eventLoop.makePromise(of: Void.self)
        let responder = request.responder
        written.futureResult.whenFailure { error in
            responder.fail(
                (error as? RedisClientError)
                    ?? RedisClientError(
                        code: .connectionClosed,
                        message: "the connection to \(endpoint) is closed; the command was not sent",
                        underlying: error
                    )
            )
        }
        self.writeAndFlush(request, promise: written)
    }
}

/// A confirmation the server sends for each name in a (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE.
struct RedisSubscriptionConfirmation: Sendable, Hashable {
    enum Kind: String, Sendable, Hashable {
        case subscribe, unsubscribe, psubscribe, punsubscribe
        /// Sharded pub/sub (Redis 7): channels that live in a hash slot, served by its shard.
        case ssubscribe, sunsubscribe
    }

    var kind: Kind
    var name: String
}

/// A pub/sub delivery, as the channel handler hands it to the subscriber.
enum RedisPushMessage: Sendable {
    /// `message`, or `smessage` on a shard channel.
    case message(channel: ByteBuffer, payload: ByteBuffer)
    case patternMessage(pattern: ByteBuffer, channel: ByteBuffer, payload: ByteBuffer)
    /// A `sunsubscribe` the client did not ask for: the node no longer serves the channel's slot
    /// (it was migrated away, or the node became a replica). Subscribe again on the new owner.
    case shardChannelUnsubscribed(channel: ByteBuffer)
}
