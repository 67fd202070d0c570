import NIOCore
import Redis
import TestSupport
import Testing

@Suite(.tags(.integration)) struct RedisPubSubTests {
    @Test func deliversChannelAndPatternMessages() async throws {
        try await RedisServerProcess.withServer { server in
            try await withClient(.test(port: server.port)) { publisher in
                try await withSubscriber(.test(port: server.port)) { subscriber in
                    var events = subscriber.events.makeAsyncIterator()
                    try await subscriber.subscribe(to: ["aws-realtime:ch:aws-metrics"])
                    try await subscriber.subscribe(toPatterns: ["aws-realtime:ch:aws-l*"])
                    #expect(
                        try await publisher.subscriberCounts(of: ["aws-realtime:ch:aws-metrics"]) == [
                            "aws-realtime:ch:aws-metrics": 1
                        ])

                    #expect(try await publisher.publish("one", to: "aws-realtime:ch:aws-metrics") == 1)
                    #expect(try await publisher.publish("two", to: "aws-realtime:ch:aws-logs") == 1)
                    #expect(try await publisher.publish("none", to: "aws-realtime:ch:other") == 0)
                    #expect(
                        try await nextEvent(&events)
                            == .message(channel: "aws-realtime:ch:aws-metrics", payload: ByteBuffer(string: "one"))
                    )
                    #expect(
                        try await nextEvent(&events)
                            == .patternMessage(
                                pattern: "aws-realtime:ch:aws-l*", channel: "aws-realtime:ch:aws-logs",
                                payload: ByteBuffer(string: "two"))
                    )

                    try await subscriber.unsubscribe(from: ["aws-realtime:ch:aws-metrics"])
                    try await subscriber.unsubscribe(fromPatterns: ["aws-realtime:ch:aws-l*"])
                    #expect(try await publisher.publish("three", to: "aws-realtime:ch:aws-metrics") == 0)
                    #expect(subscriber.channels.isEmpty && subscriber.patterns.isEmpty)
                }
            }
        }
    }

    @Test func resp2SubscriberWorksToo() async throws {
        try await RedisServerProcess.withServer { server in
            var resp2 = RedisConfiguration.test(port: server.port)
            resp2.protocolVersion = .resp2
            let configuration = resp2
            try await withClient(configuration) { publisher in
                try await withSubscriber(configuration) { subscriber in
                    var events = subscriber.events.makeAsyncIterator()
                    try await subscriber.subscribe(to: ["a", "b"])
                    _ = try await publisher.publish("x", to: "b")
                    #expect(try await nextEvent(&events) == .message(channel: "b", payload: ByteBuffer(string: "x")))
                    try await subscriber.unsubscribe(from: ["a"])
                    #expect(try await publisher.subscriberCounts(of: ["a", "b"]) == ["a": 0, "b": 1])
                }
            }
        }
    }

    @Test func concurrentSubscribeAndUnsubscribeStayConsistent() async throws {
        try await RedisServerProcess.withServer { server in
            try await withClient(.test(port: server.port)) { publisher in
                try await withSubscriber(.test(port: server.port)) { subscriber in
                    let channels = (0..<20).map { "race:\($0)" }
                    // 400 changes from 8 tasks, the same channels subscribed and unsubscribed at once.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for worker in 0..<8 {
                            group.addTask {
                                for round in 0..<50 {
                                    let channel = channels[(worker * 7 + round) % channels.count]
                                    if (worker + round) % 2 == 0 {
                                        try await subscriber.subscribe(to: [channel, "race:stable"])
                                    } else {
                                        try await subscriber.unsubscribe(from: [channel])
                                    }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                    // What the subscriber holds is what the server has.
                    let held = subscriber.channels
                    let counts = try await publisher.subscriberCounts(of: channels + ["race:stable"])
                    for (channel, count) in counts {
                        #expect(count == (held.contains(channel) ? 1 : 0), "\(channel)")
                    }
                    #expect(held.contains("race:stable"))
                    // And the connection still delivers.
                    var events = subscriber.events.makeAsyncIterator()
                    _ = try await publisher.publish("after", to: "race:stable")
                    #expect(
                        try await nextEvent(&events) == .message(channel: "race:stable", payload: ByteBuffer(string: "after")))
                }
            }
        }
    }

    @Test func subscriptionLimitIsEnforced() async throws {
        try await RedisServerProcess.withServer { server in
            var configuration = RedisConfiguration.test(port: server.port)
            configuration.limits.maxSubscriptions = 3
            try await withSubscriber(configuration) { subscriber in
                try await subscriber.subscribe(to: ["a", "b"])
                try await subscriber.subscribe(toPatterns: ["c*"])
                await #expect(throws: RedisClientError.self) { try await subscriber.subscribe(to: ["d"]) }
                try await subscriber.unsubscribe(from: ["a"])
                try await subscriber.subscribe(to: ["d"])
                #expect(subscriber.channels == ["b", "d"])
            }
        }
    }

    @Test func aSlowConsumerGetsDroppedNotUnboundedMemory() async throws {
        try await RedisServerProcess.withServer { server in
            var small = RedisConfiguration.test(port: server.port)
            small.limits.subscriberBufferSize = 10
            let configuration = small
            try await withClient(configuration) { publisher in
                try await withSubscriber(configuration) { subscriber in
                    try await subscriber.subscribe(to: ["fast"])
                    _ = try await publisher.pipeline(
                        (0..<100).map {
                            [ByteBuffer(string: "PUBLISH"), ByteBuffer(string: "fast"), ByteBuffer(string: "\($0)")]
                        })
                    #expect(try await eventually { subscriber.droppedEventCount == 90 })
                    var events = subscriber.events.makeAsyncIterator()
                    #expect(try await nextEvent(&events) == .dropped(count: 90))
                    #expect(try await nextEvent(&events) == .message(channel: "fast", payload: ByteBuffer(string: "90")))
                }
            }
        }
    }
}
