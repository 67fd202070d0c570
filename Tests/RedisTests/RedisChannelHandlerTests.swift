import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@testable import Redis

/// The promise queue and pub/sub routing, on an EmbeddedChannel with scripted replies.
@Suite struct RedisChannelHandlerTests {
    struct Harness {
        let channel: EmbeddedChannel
        let pushes: NIOLockedValueBox<[RedisPushMessage]>

        init(maxPending: Int = 100, timeout: Duration = .seconds(1), isSubscriber: Bool = false) throws {
            let pushes = NIOLockedValueBox<[RedisPushMessage]>([])
            self.pushes = pushes
            self.channel = EmbeddedChannel()
            try self.channel.pipeline.syncOperations.addHandler(
                RedisChannelHandler(
                    maxPendingCommands: maxPending,
                    commandTimeout: timeout,
                    endpoint: "test",
                    isSubscriber: isSubscriber,
                    pushSink: { message in pushes.withLockedValue { $0.append(message) } },
                    logger: testLogger
                )
            )
        }

        func send(_ arguments: [String]) throws -> EventLoopFuture<RESPValue> {
            var buffer = ByteBuffer()
            RESPCommandEncoder.encode(arguments, into: &buffer)
            let promise = self.channel.eventLoop.makePromise(of: RESPValue.self)
            self.write(RedisRequest(bytes: buffer, responder: .single(promise)))
            return promise.futureResult
        }

        /// Writes without waiting: the handler flushes on the next event loop turn.
        func write(_ request: RedisRequest) {
            self.channel.writeAndFlush(request, promise: nil)
            self.channel.embeddedEventLoop.run()
        }

        func reply(_ wire: String) throws {
            try self.channel.writeInbound(ByteBuffer(string: wire))
        }

        /// Flushes what the handler wrote and returns it as text.
        func written() throws -> String {
            self.channel.embeddedEventLoop.run()
            var text = ""
            while let buffer = try self.channel.readOutbound(as: ByteBuffer.self) {
                text += String(buffer: buffer)
            }
            return text
        }
    }

    static func result(_ future: EventLoopFuture<RESPValue>) -> Result<RESPValue, any Error>? {
        let result = NIOLockedValueBox<Result<RESPValue, any Error>?>(nil)
        future.whenComplete { value in result.withLockedValue { $0 = value } }
        return result.withLockedValue { $0 }
    }

    @Test func repliesAreMatchedInOrderAndWritesAreFlushedTogether() throws {
        let harness = try Harness()
        let futures = try (0..<5).map { try harness.send(["ECHO", "\($0)"]) }
        #expect(try harness.written().components(separatedBy: "ECHO").count == 6)
        try harness.reply("$1\r\n0\r\n$1\r\n1\r\n$1\r\n2")
        try harness.reply("\r\n$1\r\n3\r\n-ERR four\r\n")
        for (index, future) in futures.enumerated() {
            let value = try #require(try Self.result(future)?.get())
            #expect(value == (index == 4 ? .error(ByteBuffer(string: "ERR four")) : .bulkString(ByteBuffer(string: "\(index)"))))
        }
        _ = try harness.channel.finish()
    }

    @Test func batchRepliesSplitAtAnyByteAreCollectedInOrder() throws {
        // Two batches and a single command, replies cut at every possible byte, a RESP3 push
        // (not a reply) in the middle of the first batch.
        let wire = ":1\r\n$2\r\nab\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n-ERR x\r\n:22\r\n*1\r\n:3\r\n+PONG\r\n"
        for cut in 1..<wire.utf8.count {
            let harness = try Harness()
            let first = harness.channel.eventLoop.makePromise(of: [RESPValue].self)
            let second = harness.channel.eventLoop.makePromise(of: [RESPValue].self)
            var bytes = ByteBuffer()
            RESPCommandEncoder.encode(
                [["INCR", "a"], ["GET", "b"], ["GET", "c"]].map { $0.map { ByteBuffer(string: $0) } }, into: &bytes)
            harness.write(RedisRequest(bytes: bytes, responder: .batch(first, count: 3)))
            harness.write(RedisRequest(bytes: bytes, responder: .batch(second, count: 2)))
            let ping = try harness.send(["PING"])
            let firstResult = NIOLockedValueBox<[RESPValue]?>(nil)
            first.futureResult.whenSuccess { values in firstResult.withLockedValue { $0 = values } }
            let secondResult = NIOLockedValueBox<[RESPValue]?>(nil)
            second.futureResult.whenSuccess { values in secondResult.withLockedValue { $0 = values } }
            let utf8 = Array(wire.utf8)
            try harness.channel.writeInbound(ByteBuffer(bytes: utf8[..<cut]))
            try harness.channel.writeInbound(ByteBuffer(bytes: utf8[cut...]))
            #expect(
                firstResult.withLockedValue { $0 }
                    == [.integer(1), .bulkString(ByteBuffer(string: "ab")), .error(ByteBuffer(string: "ERR x"))],
                "cut at \(cut)"
            )
            #expect(secondResult.withLockedValue { $0 } == [.integer(22), .array([.integer(3)])], "cut at \(cut)")
            #expect(try Self.result(ping)?.get() == .simpleString(ByteBuffer(string: "PONG")), "cut at \(cut)")
            _ = try harness.channel.finish()
        }
    }

    @Test func integersInsideAPartialAggregateAreElementsNotReplies() throws {
        // A batch of three: an array of integers (the fast path for integer replies must not take
        // its elements once its header is read), a push between replies, a map with an
        // attribute, then an integer. Fed in pieces of every size from one byte up.
        let wire =
            "*3\r\n:1\r\n:2\r\n*2\r\n:3\r\n:4\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n:5\r\n"
            + "|1\r\n+a\r\n:6\r\n%1\r\n:7\r\n~1\r\n:8\r\n:9\r\n+PONG\r\n"
        let utf8 = Array(wire.utf8)
        for piece in 1...utf8.count {
            let harness = try Harness()
            let batch = harness.channel.eventLoop.makePromise(of: [RESPValue].self)
            var bytes = ByteBuffer()
            RESPCommandEncoder.encode(
                [["LRANGE"], ["HGETALL"], ["INCR"]].map { $0.map { ByteBuffer(string: $0) } }, into: &bytes)
            harness.write(RedisRequest(bytes: bytes, responder: .batch(batch, count: 3)))
            let ping = try harness.send(["PING"])
            let batchResult = NIOLockedValueBox<[RESPValue]?>(nil)
            batch.futureResult.whenSuccess { values in batchResult.withLockedValue { $0 = values } }
            for start in stride(from: 0, to: utf8.count, by: piece) {
                try harness.channel.writeInbound(ByteBuffer(bytes: utf8[start..<min(utf8.count, start + piece)]))
            }
            #expect(
                batchResult.withLockedValue { $0 }
                    == [
                        .array([.integer(1), .integer(2), .array([.integer(3), .integer(4)])]),
                        .map([.init(key: .integer(7), value: .set([.integer(8)]))]),
                        .integer(9),
                    ],
                "pieces of \(piece) bytes"
            )
            #expect(try Self.result(ping)?.get() == .simpleString(ByteBuffer(string: "PONG")), "pieces of \(piece) bytes")
            // Still open: finishing a channel the handler closed would throw.
            _ = try harness.channel.finish()
        }
    }

    @Test func aBatchWhoseCallbackClosesTheChannelStopsTheRead() throws {
        let harness = try Harness()
        let batch = harness.channel.eventLoop.makePromise(of: [RESPValue].self)
        var bytes = ByteBuffer()
        RESPCommandEncoder.encode([[ByteBuffer(string: "INCR")], [ByteBuffer(string: "INCR")]], into: &bytes)
        harness.write(RedisRequest(bytes: bytes, responder: .batch(batch, count: 2)))
        let next = try harness.send(["PING"])
        let channel = harness.channel
        batch.futureResult.whenSuccess { _ in channel.close(promise: nil) }
        try? harness.reply(":1\r\n:2\r\n+PONG\r\n:3\r\n")
        #expect(!harness.channel.isActive)
        guard case .failure(let error as RedisClientError) = Self.result(next) else {
            Issue.record("expected the command after the batch to fail with the close")
            return
        }
        #expect(error.code == .connectionClosed)
    }

    @Test func closingFailsEveryCommandInFlight() throws {
        let harness = try Harness()
        let futures = try (0..<3).map { _ in try harness.send(["PING"]) }
        _ = try harness.written()
        try harness.reply("+PONG\r\n")
        try harness.channel.close().wait()
        #expect(try Self.result(futures[0])?.get() == .simpleString(ByteBuffer(string: "PONG")))
        for future in futures.dropFirst() {
            guard case .failure(let error as RedisClientError) = Self.result(future) else {
                Issue.record("expected a RedisClientError")
                continue
            }
            #expect(error.code == .connectionClosed)
        }
    }

    @Test func aTimedOutCommandsLateReplyIsNotGivenToTheNextCommand() throws {
        let harness = try Harness(timeout: .seconds(1))
        let slow = try harness.send(["GET", "a"])
        _ = try harness.written()
        harness.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1500))
        guard case .failure(let error as RedisClientError) = Self.result(slow) else {
            Issue.record("expected a timeout")
            return
        }
        #expect(error.code == .commandTimeout)
        let next = try harness.send(["GET", "b"])
        try harness.reply("$4\r\nlate\r\n$1\r\nb\r\n")
        #expect(try Self.result(next)?.get() == .bulkString(ByteBuffer(string: "b")))
        _ = try harness.channel.finish()
    }

    @Test func tooManyPendingCommandsFailAtOnce() throws {
        let harness = try Harness(maxPending: 2)
        _ = try harness.send(["PING"])
        _ = try harness.send(["PING"])
        let third = try harness.send(["PING"])
        guard case .failure(let error as RedisClientError) = Self.result(third) else {
            Issue.record("expected tooManyPendingCommands")
            return
        }
        #expect(error.code == .tooManyPendingCommands)
        _ = try? harness.channel.finish()
    }

    @Test func aReplyWithNoCommandInFlightClosesTheConnection() throws {
        let harness = try Harness()
        try? harness.reply("+SURPRISE\r\n")
        #expect(!harness.channel.isActive)
    }

    @Test func subscriptionConfirmationsAndMessagesAreRouted() throws {
        let harness = try Harness(isSubscriber: true)
        let promise = harness.channel.eventLoop.makePromise(of: Void.self)
        var buffer = ByteBuffer()
        RESPCommandEncoder.encode(["SUBSCRIBE", "a", "b"], into: &buffer)
        let expected = ["a", "b"].map { RedisSubscriptionConfirmation(kind: .subscribe, name: $0) }
        harness.write(RedisRequest(bytes: buffer, responder: .subscription(promise, expected: expected)))
        let isConfirmed = NIOLockedValueBox(false)
        promise.futureResult.whenSuccess { isConfirmed.withLockedValue { $0 = true } }
        var confirmed: Bool { isConfirmed.withLockedValue { $0 } }
        // RESP2 arrays and RESP3 pushes both count.
        try harness.reply("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n")
        #expect(!confirmed)
        try harness.reply(">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n")
        try harness.reply(">3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n")
        #expect(confirmed)
        try harness.reply("*4\r\n$8\r\npmessage\r\n$2\r\nb*\r\n$1\r\nb\r\n$2\r\nyo\r\n")
        let pushes = harness.pushes.withLockedValue { $0 }
        #expect(pushes.count == 2)
        if case .message(let channel, let payload) = pushes.first {
            #expect(String(buffer: channel) == "a")
            #expect(String(buffer: payload) == "hi")
        } else {
            Issue.record("expected a message first")
        }
        _ = try harness.channel.finish()
    }

    @Test func aMismatchedConfirmationIsAProtocolError() throws {
        let harness = try Harness(isSubscriber: true)
        let promise = harness.channel.eventLoop.makePromise(of: Void.self)
        var buffer = ByteBuffer()
        RESPCommandEncoder.encode(["SUBSCRIBE", "a"], into: &buffer)
        harness.write(
            RedisRequest(bytes: buffer, responder: .subscription(promise, expected: [.init(kind: .subscribe, name: "a")])))
        let failed = NIOLockedValueBox<RedisClientError?>(nil)
        promise.futureResult.whenFailure { error in failed.withLockedValue { $0 = error as? RedisClientError } }
        var failure: RedisClientError? { failed.withLockedValue { $0 } }
        try? harness.reply(">3\r\n$11\r\nunsubscribe\r\n$1\r\nz\r\n:0\r\n")
        #expect(failure?.code == .protocolError)
        #expect(!harness.channel.isActive)
    }
}
