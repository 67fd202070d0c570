import Bus
import Foundation
import NIOCore
import Payloads
import Testing

@testable import Gateway

/// Pure pieces: client message parsing, prepared buffers, control messages, configuration.
struct UnitTests {
    @Test func parsesClientMessages() throws {
        #expect(try ClientMessage.parse(ByteBuffer(string: "{\"op\":\"ping\"}")).get() == .ping)
        #expect(
            try ClientMessage.parse(ByteBuffer(string: "{\"op\":\"subscribe\",\"stream\":\"aws-logs\",\"since\":\"5-1\"}")).get()
                == .subscribe(.logs, since: BusMessageID(milliseconds: 5, sequence: 1)))
        #expect(
            try ClientMessage.parse(ByteBuffer(string: "{\"op\":\"unsubscribe\",\"stream\":\"aws-costs\"}")).get()
                == .unsubscribe(.costs))
        #expect(ClientMessage.parse(ByteBuffer(string: "[1]")) == .failure(.badJSON))
        #expect(ClientMessage.parse(ByteBuffer(string: "{\"op\":\"x\"}")) == .failure(.unknownOp("x")))
        #expect(
            ClientMessage.parse(ByteBuffer(string: "{\"op\":\"subscribe\",\"stream\":\"nope\"}"))
                == .failure(.unknownStream("nope")))
    }

    @Test func preparedMessageSharesTheEnvelopeAndBuildsOneSSEEvent() {
        let envelope = ByteBuffer(string: "{\"v\":1,\"id\":\"7-0\"}")
        let message = BusMessage(stream: .metrics, id: BusMessageID(milliseconds: 7, sequence: 0), envelope: envelope)
        let prepared = PreparedMessage(message)
        #expect(prepared.webSocketPayload == envelope)
        var positions = StreamPositions()
        positions[.logs] = BusMessageID(milliseconds: 5, sequence: 2)
        prepared.positions = positions
        let metricsOnly = prepared.sseEvent(for: StreamSet([.metrics]))
        #expect(String(buffer: metricsOnly) == "id: aws-metrics:7-0\nevent: aws-metrics\ndata: {\"v\":1,\"id\":\"7-0\"}\n\n")
        let both = prepared.sseEvent(for: StreamSet([.logs, .metrics]))
        #expect(String(buffer: both).hasPrefix("id: aws-metrics:7-0,aws-logs:5-2\nevent: aws-metrics\n"))
        // One event per set of streams, shared by every connection reading that set.
        #expect(
            prepared.sseEvent(for: StreamSet([.metrics])).readableBytesView.withUnsafeBytes { $0.baseAddress }
                == metricsOnly.readableBytesView.withUnsafeBytes { $0.baseAddress })
        let multiline = PreparedMessage.sseEvent(id: nil, event: "e", data: ByteBuffer(string: "a\nb"))
        #expect(String(buffer: multiline) == "event: e\ndata: a\ndata: b\n\n")
    }

    /// A `stream-state` envelope is the SSE event `<stream>-state`; data keeps its stream's name.
    @Test func aStreamStateIsItsOwnSSEEvent() {
        let envelope = ByteBuffer(string: #"{"v":1,"type":"stream-state","id":"8-0","data":{"state":"live"}}"#)
        let state = BusMessage(stream: .health, id: BusMessageID(milliseconds: 8, sequence: 0), envelope: envelope)
        #expect(PreparedMessage.sseEventName(of: state) == "aws-health-state")
        let event = PreparedMessage(state).sseEvent(for: StreamSet([.health]))
        #expect(String(buffer: event) == "id: aws-health:8-0\nevent: aws-health-state\ndata: \(String(buffer: envelope))\n\n")
        let data = BusMessage(stream: .health, id: .zero, envelope: ByteBuffer(string: #"{"v":1,"type":"health","data":{}}"#))
        #expect(PreparedMessage.sseEventName(of: data) == "aws-health")
    }

    @Test func controlMessagesSpliceTheSnapshotBytes() {
        let snapshot = ByteBuffer(string: "{\"v\":1,\"data\":{\"x\":[1,2]}}")
        #expect(
            String(buffer: ControlMessage.subscribed(.health, snapshot: snapshot))
                == "{\"op\":\"subscribed\",\"stream\":\"aws-health\",\"snapshot\":{\"v\":1,\"data\":{\"x\":[1,2]}}}")
        #expect(
            String(buffer: ControlMessage.subscribed(.health, snapshot: nil))
                == "{\"op\":\"subscribed\",\"stream\":\"aws-health\",\"snapshot\":null}")
        let error = String(buffer: ControlMessage.error(.unknownOp("a\"b\n")))
        let object = try? JSONSerialization.jsonObject(with: Data(error.utf8)) as? [String: String]
        #expect(object?["code"] == "unknown-op")
    }

    @Test func originPolicy() {
        let policy = OriginPolicy(allowed: .list(["https://app.example.com"]))
        #expect(policy.allows(origin: nil, host: "gw:8080"))
        #expect(policy.allows(origin: "https://APP.example.com", host: "gw:8080"))
        #expect(policy.allows(origin: "http://gw:8080", host: "gw:8080"))
        #expect(!policy.allows(origin: "https://evil.example.com", host: "gw:8080"))
        #expect(OriginPolicy(allowed: .any).allowOriginHeader(for: "https://x") == "*")
    }

    @Test func configurationFromEnvironment() throws {
        let configuration = try GatewayConfiguration.fromEnvironment(
            [
                "GATEWAY_JWT_SECRET": String(repeating: "s", count: 40),
                "GATEWAY_ALLOWED_ORIGINS": "https://a.example, https://b.example",
                "GATEWAY_QUEUE_MESSAGES": "100", "GATEWAY_HEARTBEAT_INTERVAL_SECONDS": "5",
            ], allowAnonymous: false, readFile: { _ in "" })
        #expect(configuration.limits.maxQueuedMessages == 100)
        #expect(configuration.busHeartbeatInterval == .seconds(5))
        #expect(!configuration.auth.mode.isAnonymous)
        #expect(OriginPolicy(allowed: configuration.allowedOrigins).allows(origin: "https://b.example", host: nil))
        #expect(throws: GatewayError.self) {
            try GatewayConfiguration.fromEnvironment(
                ["GATEWAY_MAX_CONNECTIONS": "many"], allowAnonymous: true, readFile: { _ in "" })
        }
        let anonymous = try GatewayConfiguration.fromEnvironment([:], allowAnonymous: true, readFile: { _ in "" })
        #expect(anonymous.auth.mode.isAnonymous)
        #expect(anonymous.port == 8080 && anonymous.host == "0.0.0.0")
    }

    @Test func rateLimiterAllowsBurstsThenRefuses() {
        let clock = ContinuousClock()
        let start = clock.now
        var limiter = InboundRateLimiter(messagesPerSecond: 5, now: start)
        var allowed = 0
        for _ in 0..<20 where limiter.allow(at: start) { allowed += 1 }
        #expect(allowed == 10)
        let refilled = limiter.allow(at: start.advanced(by: .seconds(1)))
        #expect(refilled)
    }

    /// What `/ws` and Socket.IO do with a client over its rate: warn once, drop silently, close
    /// past the strike limit (twice the rate) in a row; an accepted message clears the strikes.
    @Test func overTheRateTheClientIsWarnedOnceThenDroppedThenClosed() {
        let start = ContinuousClock().now
        var limiter = InboundRateLimiter(messagesPerSecond: 2, now: start)
        let verdicts = (0..<10).map { _ in limiter.admit(at: start) }
        #expect(
            verdicts == [
                .accepted, .accepted, .accepted, .accepted, .refusedWithWarning, .refused, .refused, .refused,
                .refusedTooOften, .refusedTooOften,
            ])
        var recovering = InboundRateLimiter(messagesPerSecond: 1, now: start)
        _ = (0..<2).map { _ in recovering.admit(at: start) }
        #expect(recovering.admit(at: start) == .refusedWithWarning)
        #expect(recovering.admit(at: start.advanced(by: .seconds(1))) == .accepted)
        #expect(recovering.admit(at: start.advanced(by: .seconds(1))) == .refusedWithWarning)
    }
}
