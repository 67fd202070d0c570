import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Gateway

/// ``WebSocketChannelHandler`` against the Autobahn test suite's case classes, on an
/// `EmbeddedChannel` below NIO's real frame decoder: the client's frames go in as bytes (all in
/// one read unless said otherwise), and the frames the gateway writes and the messages the
/// endpoint gets are checked exactly.
struct WebSocketFrameLevelTests {
    // MARK: 1. Framing

    @Test func class1TextAndBinaryMessagesUpToTheLimitAreDeliveredIntact() throws {
        let socket = try WebSocketHandlerHarness()
        for size in [0, 125, 126, 127, 128, 4096] {
            try socket.send(.text(String(repeating: "*", count: size)), .binary(Array(repeating: 0xFE, count: size)))
        }
        let expected = [0, 125, 126, 127, 128, 4096].flatMap {
            [RecordingEndpoint.Message.text(String(repeating: "*", count: $0)), .binary(Array(repeating: 0xFE, count: $0))]
        }
        #expect(socket.endpoint.messages == expected)
        #expect(try socket.written().isEmpty)
        #expect(socket.channel.isActive)
    }

    @Test func class1AFrameOverTheLimitFailsWith1009AndNothingIsDelivered() throws {
        let socket = try WebSocketHandlerHarness()
        try socket.send(.text(String(repeating: "*", count: 4097)), .ping("after"))
        let written = try socket.written()
        #expect(written.map(\.opcode) == [.connectionClose])
        #expect(written.first?.closeCode == 1009)
        #expect(socket.endpoint.messages.isEmpty)
        #expect(socket.isClosedByTheCut())
    }

    // MARK: 2. Pings and pongs

    @Test func class2PingsAreAnsweredWithTheirPayload() throws {
        let socket = try WebSocketHandlerHarness()
        let payloads: [[UInt8]] = [
            [], Array("Hello, world!".utf8), [0x00, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x00, 0xFF], Array(repeating: 0xFE, count: 125),
        ]
        for payload in payloads {
            try socket.send(ClientFrame(opcode: 9, payload: payload))
            let written = try socket.written()
            #expect(written.map(\.opcode) == [.pong])
            #expect(written.first?.payload == payload)
        }
    }

    @Test func class2APingSentOneByteAtATimeIsAnswered() throws {
        let socket = try WebSocketHandlerHarness()
        let bytes = ClientFrame(opcode: 9, payload: Array(repeating: 0xFE, count: 125)).bytes
        for index in bytes.readerIndex..<bytes.writerIndex {
            try socket.sendBytes(bytes.getSlice(at: index, length: 1) ?? ByteBuffer())
        }
        let written = try socket.written()
        #expect(written.map(\.opcode) == [.pong])
        #expect(written.first?.payload == Array(repeating: 0xFE, count: 125))
    }

    @Test func class2TenPingsInOneReadGetTenPongsInOrder() throws {
        let socket = try WebSocketHandlerHarness()
        try socket.send((0..<10).map { ClientFrame.ping("payload-\($0)") })
        let written = try socket.written()
        #expect(written.map(\.opcode) == Array(repeating: .pong, count: 10))
        #expect(written.map { String(buffer: $0.data) } == (0..<10).map { "payload-\($0)" })
    }

    @Test func class2APingOver125BytesFailsWith1002() throws {
        let socket = try WebSocketHandlerHarness()
        try socket.send(ClientFrame(opcode: 9, payload: Array(repeating: 0xFE, count: 126)))
        let written = try socket.written()
        #expect(written.map(\.opcode) == [.connectionClose])
        #expect(written.first?.closeCode == 1002)
        #expect(socket.isClosedByTheCut())
    }

    @Test func class2AnUnsolicitedPongIsIgnored() throws {
        let socket = try WebSocketHandlerHarness()
        try socket.send(.pong([]), .pong(Array("unsolicited pong payload".utf8)), .ping("ping payload"))
        let written = try socket.written()
        #expect(written.map(\.opcode) == [.pong])
        #expect(written.first.map { String(buffer: $0.data) } == "ping payload")
        #expect(socket.channel.isActive)
    }

    // MARK: 3. Reserved bits

    @Test(arguments: 1...7)
    func class3ReservedBitsFailWith1002AndNothingAfterIsProcessed(rsv: UInt8) throws {
        let socket = try WebSocketHandlerHarness()
        // 3.2-3.4: a valid message, the faulty frame and a ping, in the same read.
        try socket.send(.text("Hello, world!"), ClientFrame(rsv: rsv, opcode: 1, payload: Array("Hello, world!".utf8)), .ping())
        #expect(socket.endpoint.messages == [.text("Hello, world!")])
        let written = try socket.written()
        #expect(written.map(\.opcode) == [.connectionClose], "no pong after the failure")
        #expect(written.first?.closeCode == 1002)
        // 3.5-3.7: on a binary and on a close frame.
        for opcode: UInt8 in [2, 8] {
            let other = try WebSocketHandlerHarness()
            try other.send(ClientFrame(rsv: rsv, opcode: opcode, payload: opcode == 8 ? [] : [0x00, 0xFF]))
            #expect(try other.written().map(\.closeCode) == [1002])
            #expect(other.endpoint.messages.isEmpty)
        }
    }

    // MARK: 4. Reserved opcodes

    @Test(arguments: [3, 4, 5, 6, 7, 11, 12, 13, 14, 15] as [UInt8])
    func class4ReservedOpcodesFailWith1002AndNothingAfterIsProcessed(opcode: UInt8) throws {
        let socket = try WebSocketHandlerHarness()
        try socket.send(
            .text("Hello, world!"), ClientFrame(opcode: opcode, payload: Array("reserved opcode payload".utf8)), .ping())
        #expect(socket.endpoint.messages == [.text("Hello, world!")])
        let written = try socket.written()
        #expect(written.map(\.opcode) == [.connectionClose], "no pong after the failure")
        #expect(written.first?.closeCode == 1002)
    }

    // MARK: 5. Fragmentation

    @Test func class5FragmentsAreCollatedWithPingsBetweenThem() throws {
        let socket = try WebSocketHandlerHarness()
        try socket.send(.text("fragment1", fin: false), .ping("pongme 1!"), .continuation("fragment2", fin: false))
        try socket.send(.continuation("fragment3", fin: false), .ping("pongme 2!"), .continuation("fragment4"))
        #expect(socket.endpoint.messages == [.text("fragment1fragment2fragment3fragment4")])
        #expect(try socket.written().map { String(buffer: $0.data) } == ["pongme 1!", "pongme 2!"])
    }

    @Test func class5FragmentedControlFramesFailWith1002() throws {
        for opcode: UInt8 in [9, 10] {
            let socket = try WebSocketHandlerHarness()
            try socket.send(ClientFrame(fin: false, opcode: opcode, payload: Array("fragment1".utf8)), .continuation("fragment2"))
            #expect(try socket.written().map(\.closeCode) == [1002])
        }
    }

    @Test func class5FragmentsOutOfOrderFailWith1002() throws {
        let sequences: [[ClientFrame]] = [
            // 5.9-5.14: a continuation without a message, final or not.
            [.continuation("non-continuation payload"), .text("Hello, world!")],
            [.continuation("non-continuation payload", fin: false), .text("Hello, world!")],
            // 5.16, 5.17.
            [.continuation("fragment1", fin: false), .text("fragment2", fin: false), .continuation("fragment3")],
            [.continuation("fragment1"), .text("fragment2", fin: false), .continuation("fragment3")],
            // 5.18: a new message inside a fragmented one.
            [.text("fragment1", fin: false), .text("fragment2")],
        ]
        for frames in sequences {
            let socket = try WebSocketHandlerHarness()
            try socket.send(frames)
            #expect(try socket.written().map(\.closeCode) == [1002])
            #expect(socket.endpoint.messages.isEmpty)
        }
        // 5.15: the first message is whole and delivered; the second starts with a continuation.
        let socket = try WebSocketHandlerHarness()
        try socket.send(
            .text("fragment1", fin: false), .continuation("fragment2"), .continuation("fragment3", fin: false),
            .text("fragment4"))
        #expect(socket.endpoint.messages == [.text("fragment1fragment2")])
        #expect(try socket.written().map(\.closeCode) == [1002])
    }

    // MARK: 6. UTF-8

    private static let kosme: [UInt8] = [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5]

    @Test func class6ValidTextIsDeliveredWholeOrByteByByte() throws {
        let socket = try WebSocketHandlerHarness()
        let hello = Array("Hello-µ@ßöäüàá-UTF-8!!".utf8)
        try socket.send(.text(bytes: hello))
        try socket.send(
            hello.indices.map { ClientFrame(fin: $0 == hello.count - 1, opcode: $0 == 0 ? 1 : 0, payload: [hello[$0]]) })
        try socket.send(.text("", fin: false), .continuation("", fin: false), .continuation(""))
        #expect(socket.endpoint.messages == [.text("Hello-µ@ßöäüàá-UTF-8!!"), .text("Hello-µ@ßöäüàá-UTF-8!!"), .text("")])
        #expect(try socket.written().isEmpty)
    }

    @Test func class6InvalidTextFailsWith1007() throws {
        let invalid: [[UInt8]] = [
            Self.kosme + [0xED, 0xA0, 0x80] + Array("edited".utf8),  // 6.3.1: a surrogate
            [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
            [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF],  // overlong
            [0x80], [0xBF], [0xFE], [0xFF], [0xF8, 0x88, 0x80, 0x80, 0x80],
            [0xC0, 0x20], Array(Self.kosme.prefix(3)),  // a message that stops inside a character
        ]
        for bytes in invalid {
            let socket = try WebSocketHandlerHarness()
            try socket.send(.text(bytes: bytes), .ping())
            let written = try socket.written()
            #expect(written.map(\.closeCode) == [1007], "\(bytes)")
            #expect(socket.endpoint.messages.isEmpty)
        }
    }

    /// 6.4.1, 6.4.2: the fragment that carries the invalid byte fails the connection at once,
    /// before the rest of the message comes.
    @Test func class6FragmentedTextFailsOnTheFragmentThatBreaksIt() throws {
        let invalid = Self.kosme + [0xF4, 0x90, 0x80, 0x80] + Array("edited".utf8)
        for (first, second) in [(11, 15), (12, 13)] {
            let socket = try WebSocketHandlerHarness()
            try socket.send(.text(bytes: Array(invalid[..<first]), fin: false))
            #expect(try socket.written().isEmpty)
            try socket.send(.continuation(bytes: Array(invalid[first..<second]), fin: false))
            #expect(try socket.written().map(\.closeCode) == [1007])
            try socket.send(.continuation(bytes: Array(invalid[second...])))
            #expect(try socket.written().isEmpty)
            #expect(socket.endpoint.messages.isEmpty)
        }
        // 6.3.2: byte by byte.
        let surrogate = Self.kosme + [0xED, 0xA0, 0x80] + Array("edited".utf8)
        let socket = try WebSocketHandlerHarness()
        for index in 0..<12 {
            try socket.send(.init(fin: false, opcode: index == 0 ? 1 : 0, payload: [surrogate[index]]))
        }
        #expect(try socket.written().isEmpty)
        try socket.send(.continuation(bytes: [surrogate[12]], fin: false))
        #expect(try socket.written().map(\.closeCode) == [1007])
    }

    @Test func class6AFragmentedMessageThatEndsInsideACharacterFailsWith1007() throws {
        let socket = try WebSocketHandlerHarness()
        try socket.send(.text(bytes: [0xCE], fin: false), .continuation(bytes: []))
        #expect(try socket.written().map(\.closeCode) == [1007])
    }

    // MARK: 7. Close handshake

    @Test func class7ACloseIsEchoedAndNothingAfterItIsProcessed() throws {
        let socket = try WebSocketHandlerHarness()
        try socket.send(.close(1000), .ping(), .text("Hello World!"))
        let written = try socket.written()
        #expect(written.map(\.closeCode) == [1000])
        #expect(socket.endpoint.messages.isEmpty)
        #expect(!socket.channel.isActive)

        let empty = try WebSocketHandlerHarness()
        try empty.send(.close())
        #expect(try empty.written().map(\.closeCode) == [1000])
        #expect(!empty.channel.isActive)

        // 7.1.5: a close in the middle of a fragmented message.
        let fragmented = try WebSocketHandlerHarness()
        try fragmented.send(.text("fragment1", fin: false), .close(1000), .continuation("fragment2"))
        #expect(try fragmented.written().map(\.closeCode) == [1000])
        #expect(fragmented.endpoint.messages.isEmpty)
    }

    @Test(arguments: [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999] as [UInt16])
    func class7ValidCloseCodesAreEchoed(code: UInt16) throws {
        let socket = try WebSocketHandlerHarness()
        try socket.send(.close(code, reason: Array("Hello World!".utf8)))
        #expect(try socket.written().map(\.closeCode) == [code])
        #expect(!socket.channel.isActive)
    }

    @Test(arguments: [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535] as [UInt16])
    func class7InvalidCloseCodesAreAnsweredWith1002(code: UInt16) throws {
        let socket = try WebSocketHandlerHarness()
        try socket.send(.close(code))
        let written = try socket.written()
        #expect(written.map(\.closeCode) == [1002], "never echoed")
        #expect(!socket.channel.isActive)
    }

    @Test func class7InvalidClosePayloadsAreAnsweredWith1002() throws {
        let payloads: [ClientFrame] = [
            ClientFrame(opcode: 8, payload: [0x61]),  // 7.3.2: 1 byte
            .close(1000, reason: Self.kosme + [0xED, 0xA0, 0x80] + Array("edited".utf8)),  // 7.5.1: not UTF-8
            .close(1000, reason: Array(repeating: 0x2A, count: 124)),  // 7.3.6: 126 bytes, refused by the decoder
        ]
        for frame in payloads {
            let socket = try WebSocketHandlerHarness()
            try socket.send(frame)
            #expect(try socket.written().map(\.closeCode) == [1002])
            // Closed at once, or (after a frame the decoder refused) when the client has had its time.
            socket.channel.embeddedEventLoop.advanceTime(by: WebSocketChannelHandler.closeTimeout)
            #expect(!socket.channel.isActive)
        }
        let longest = try WebSocketHandlerHarness()
        try longest.send(.close(1000, reason: Array(repeating: 0x2A, count: 123)))  // 7.3.5
        #expect(try longest.written().map(\.closeCode) == [1000])
    }

    @Test func anUnmaskedClientFrameFailsWith1002() throws {
        let socket = try WebSocketHandlerHarness()
        try socket.send(ClientFrame(opcode: 1, payload: Array("Hello".utf8), isMasked: false))
        #expect(try socket.written().map(\.closeCode) == [1002])
        #expect(socket.endpoint.messages.isEmpty)
    }

    // MARK: 9, 10. Limits

    /// 9.3, 9.4, 10.1.1: fragments each under the limit, the message over it, all in one read:
    /// one close frame, 1009, and nothing delivered.
    @Test func class9AFragmentedMessageGrowingPastTheLimitFailsWith1009() throws {
        for (opcode, size) in [(1, 64), (2, 64), (1, 1300), (2, 4096)] as [(UInt8, Int)] {
            let socket = try WebSocketHandlerHarness()
            let fragments = (0..<80).map {
                ClientFrame(fin: $0 == 79, opcode: $0 == 0 ? opcode : 0, payload: Array(repeating: 0x2A, count: size))
            }
            try socket.send(fragments + [.ping()])
            let written = try socket.written()
            #expect(written.map(\.opcode) == [.connectionClose])
            #expect(written.first?.closeCode == 1009)
            #expect(socket.endpoint.messages.isEmpty)
        }
    }

    @Test func aMessageExactlyAtTheLimitInFragmentsIsDelivered() throws {
        let socket = try WebSocketHandlerHarness()
        try socket.send(
            (0..<64).map { ClientFrame(fin: $0 == 63, opcode: $0 == 0 ? 1 : 0, payload: Array(repeating: 0x2A, count: 64)) })
        #expect(socket.endpoint.messages == [.text(String(repeating: "*", count: 4096))])
        #expect(try socket.written().isEmpty)
    }

    @Test func closeReasonsAreCutOnACharacterBoundary() {
        let reason = String(repeating: "é", count: 70)
        let cut = WebSocketChannelHandler.closeReason(reason)
        #expect(cut.utf8.count == 122)
        #expect(WebSocketChannelHandler.closeReason("ping timeout") == "ping timeout")
    }
}
