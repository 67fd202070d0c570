// swift-tools-version:6.0
import PackageDescription

// Layers follow DESIGN.md: a target imports only targets above it in this list.
let package = Package(
    name: "aws-realtime",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "aws-realtime", targets: ["aws-realtime"]),
        .library(name: "SigV4", targets: ["SigV4"]),
        .library(name: "AWSCore", targets: ["AWSCore"]),
        .library(name: "AWSServices", targets: ["AWSServices"]),
        .library(name: "Redis", targets: ["Redis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
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

        // 2. SigV4: pure signing, no I/O.
        .target(
            name: "SigV4",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ]
        ),

        // 3. AWSCore: transport, credentials, endpoints, retries, wire protocols, errors.
        .target(
            name: "AWSCore",
            dependencies: [
                "SigV4",
                "CCurl",
                "CLibXML2",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // 4. AWSServices: one small client per API, typed requests and responses.
        .target(
            name: "AWSServices",
            dependencies: [
                "AWSCore",
                "CLibXML2",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // 6. Redis: RESP client on SwiftNIO.
        .target(
            name: "Redis",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // 10. The executable: argument parsing and wiring only.
        .executableTarget(
            name: "aws-realtime",
            dependencies: [
                "AWSCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Benchmarks (run in release builds; numbers go to the README).
        .executableTarget(name: "SigV4Benchmark", dependencies: ["SigV4"]),
        .executableTarget(name: "RedisBenchmark", dependencies: ["Redis"]),
        .executableTarget(name: "MetricDataParseBenchmark", dependencies: ["AWSServices"]),

        // Shared test support: loopback servers and process helpers, used by several suites.
        .target(
            name: "TestSupport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "SigV4Tests",
            dependencies: ["SigV4"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "AWSCoreTests",
            dependencies: ["AWSCore", "TestSupport"],
            resources: [.copy("Fixtures")]
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
            name: "RedisTests",
            dependencies: [
                "Redis", "TestSupport",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ]
)
