// swift-tools-version:6.0
import PackageDescription

// Layers follow DESIGN.md: a target imports only targets above it in this list.
let package = Package(
    name: "aws-realtime",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "aws-realtime", targets: ["aws-realtime"]),
        .library(name: "SigV4", targets: ["SigV4"]),
        .library(name: "AWSCore", targets: ["AWSCore"]),
        .library(name: "Payloads", targets: ["Payloads"]),
        .library(name: "AWSServices", targets: ["AWSServices"]),
        .library(name: "Redis", targets: ["Redis"]),
        // For the benchmarks package (Benchmarks/): the worker and the gateway on the in-process bus, and
        // the replay server. (SigV4, AWSServices, Payloads and Redis above serve it too.)
        .library(name: "Bus", targets: ["Bus"]),
        .library(name: "Gateway", targets: ["Gateway"]),
        .library(name: "Worker", targets: ["Worker"]),
        .library(name: "AWSCapture", targets: ["AWSCapture"]),
        .library(name: "AWSReplay", targets: ["AWSReplay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
    ],
    targets: [
        // 1. System libraries.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),

        // Text formats several layers write and read (civil dates and their ISO 8601, SigV4 and
        // HTTP-date spellings, JSON string literals, JSON documents as written, Prometheus exposition text): one implementation
        // each, below every other layer, so it depends on nothing.
        .target(name: "TextFormats"),

        // What several layers share about waiting (the bounded drop-oldest event buffer, a wait with
        // a timeout, the exponential backoff of every retry): one implementation each, depending on
        // nothing.
        .target(name: "AsyncPrimitives"),

        // 2. SigV4: pure signing, no I/O.
        .target(
            name: "SigV4",
            dependencies: [
                "TextFormats",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // 3. AWSCore: transport, credentials, endpoints, retries, wire protocols, errors.
        .target(
            name: "AWSCore",
            dependencies: [
                "AsyncPrimitives",
                "SigV4",
                "TextFormats",
                "CCurl",
                "CLibXML2",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // AWSCapture: AWS exchanges as capture files: recording and replaying transports, matching,
        // redaction (tests, `aws-realtime record` and `replay`, the demo); the worker never needs it.
        .target(
            name: "AWSCapture",
            dependencies: [
                "AWSCore",
                "TextFormats",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Replay server: serves capture folders over HTTP on loopback (tests, `aws-realtime replay`).
        .target(
            name: "AWSReplay",
            dependencies: [
                "AWSCapture",
                "AWSCore",
                "TextFormats",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // 5. Payloads: the envelope and per-stream data; the only vocabulary worker and gateway share.
        .target(
            name: "Payloads",
            dependencies: ["TextFormats"],
            exclude: ["Schemas"]
        ),

        // 4. AWSServices: one small client per API, typed requests and responses.
        .target(
            name: "AWSServices",
            dependencies: [
                "AWSCore",
                "TextFormats",
                "CLibXML2",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // 6. Redis: RESP client on SwiftNIO.
        .target(
            name: "Redis",
            dependencies: [
                "AsyncPrimitives",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // SocketIOEmitter: updates in the `@socket.io/redis-emitter` wire format (MessagePack), for
        // Node Socket.IO servers during a migration; the Redis bus publishes them when enabled.
        .target(
            name: "SocketIOEmitter",
            dependencies: ["Payloads", "TextFormats"]
        ),

        // 7. Bus: the publish/subscribe layer the worker and the gateway share; on Redis and in-process.
        .target(
            name: "Bus",
            dependencies: [
                "AsyncPrimitives", "Payloads", "Redis", "SocketIOEmitter", "TextFormats",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // 8. Worker: collectors, scheduler, leader lease, publisher.
        .target(
            name: "Worker",
            dependencies: [
                "AsyncPrimitives", "AWSServices", "AWSCore", "Bus", "Payloads", "Redis", "SocketIOEmitter", "TextFormats",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // 9. Gateway: the relay hub, WebSocket and SSE, auth, limits.
        .target(
            name: "Gateway",
            dependencies: [
                "AsyncPrimitives",
                "Bus",
                "Payloads",
                "TextFormats",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The live page, compiled into the binary (the Docker image copies only the binary).
            resources: [
                .embedInCode("LivePage/live-page.html"),
                .embedInCode("LivePage/live-page.css"),
                .embedInCode("LivePage/live-page.js"),
            ]
        ),

        // 10. The executable: argument parsing and wiring only.
        .executableTarget(
            name: "aws-realtime",
            dependencies: [
                "AWSCapture",
                "AWSCore",
                "AWSReplay",
                "AWSServices",
                "Bus",
                "Gateway",
                "Redis",
                "SocketIOEmitter",
                "Worker",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Shared test support: loopback servers and process helpers, used by several suites.
        .target(
            name: "TestSupport",
            dependencies: [
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "TextFormatsTests",
            dependencies: ["TextFormats"]
        ),
        .testTarget(
            name: "AsyncPrimitivesTests",
            dependencies: ["AsyncPrimitives", "TestSupport"]
        ),
        .testTarget(
            name: "SigV4Tests",
            dependencies: ["SigV4"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "AWSCoreTests",
            dependencies: ["AWSCapture", "AWSCore", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "AWSReplayTests",
            dependencies: ["AWSReplay", "AWSCapture", "AWSCore", "TestSupport", "TextFormats"]
        ),
        .testTarget(
            name: "PayloadsTests",
            dependencies: ["Payloads", "TestSupport"]
        ),
        .testTarget(
            name: "SocketIOEmitterTests",
            dependencies: ["SocketIOEmitter", "Bus", "Payloads", "Redis", "TestSupport", "TextFormats"]
        ),
        .testTarget(
            name: "BusTests",
            dependencies: ["Bus", "Payloads", "Redis", "TestSupport"]
        ),
        .testTarget(
            name: "WorkerTests",
            dependencies: [
                "Worker", "Bus", "Payloads", "AWSServices", "AWSCapture", "AWSCore", "AWSReplay", "Redis",
                "SocketIOEmitter", "TestSupport", "TextFormats",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "AWSServicesTests",
            dependencies: [
                "AWSServices", "AWSCore", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "Bus", "Payloads", "Redis", "TestSupport", "TextFormats",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The Python test peers, run from the checkout by TestSupport's `ScriptedClient` and
            // `ClientScriptProcess` (the process tests in AWSRealtimeTests use them too).
            exclude: ["Scripts"]
        ),
        // The built `aws-realtime` executable as a child process (build it first: `swift build --build-tests`):
        // its commands, and the worker's failover, fencing and hostile-answer runs against real Redis.
        .testTarget(
            name: "AWSRealtimeTests",
            dependencies: [
                "AWSCapture", "AWSCore", "AWSReplay", "Bus", "Payloads", "Redis", "SocketIOEmitter", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RedisTests",
            dependencies: [
                "Redis", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
