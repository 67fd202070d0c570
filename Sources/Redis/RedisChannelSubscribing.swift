import ServiceLifecycle

/// A pub/sub connection owner that subscribes to channels and delivers ``RedisPubSubEvent``s:
/// ``RedisSubscriber`` (classic pub/sub on one node) or ``RedisClusterSubscriber`` (sharded
/// pub/sub on the nodes that own the channels' slots). Both resubscribe after a reconnect and
/// say so with ``RedisPubSubEvent/reconnected``.
public protocol RedisChannelSubscribing: Service {
    /// The events, for one consumer.
    var events: RedisSubscriber.Events { get }
    /// Whether every held channel is subscribed on a live connection.
    var isConnected: Bool { get }
    func subscribe(to channels: [String]) async throws
    func unsubscribe(from channels: [String]) async throws
    /// Connects and keeps the subscriptions until the calling task is cancelled.
    func run() async throws
}

extension RedisSubscriber: RedisChannelSubscribing {}
