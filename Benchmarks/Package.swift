// swift-tools-version:6.0
import PackageDescription

// The benchmarks, a package of their own beside the product (as swift-nio's and hummingbird's):
// `swift build` of the product does not build them. Run from the repository root, for example
// `swift run -c release --package-path Benchmarks SpendSimulation`; each executable's header
// comment has its command.
let package = Package(
    name: "aws-realtime-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "aws-realtime", path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .executableTarget(
            name: "SpendSimulation",
            dependencies: [
                .product(name: "AWSCapture", package: "aws-realtime"),
                .product(name: "AWSCore", package: "aws-realtime"),
                .product(name: "AWSReplay", package: "aws-realtime"),
                .product(name: "AWSServices", package: "aws-realtime"),
                .product(name: "Bus", package: "aws-realtime"),
                .product(name: "Payloads", package: "aws-realtime"),
                .product(name: "Worker", package: "aws-realtime"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "SpendSimulation"
        ),
        .executableTarget(
            name: "WorkerRoundBenchmark",
            dependencies: [
                .product(name: "AWSCapture", package: "aws-realtime"),
                .product(name: "AWSCore", package: "aws-realtime"),
                .product(name: "AWSReplay", package: "aws-realtime"),
                .product(name: "Bus", package: "aws-realtime"),
                .product(name: "Payloads", package: "aws-realtime"),
                .product(name: "SigV4", package: "aws-realtime"),
                .product(name: "Worker", package: "aws-realtime"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "WorkerRoundBenchmark"
        ),
        .executableTarget(
            name: "SigV4Benchmark",
            dependencies: [.product(name: "SigV4", package: "aws-realtime")],
            path: "SigV4Benchmark"
        ),
        .executableTarget(
            name: "MetricDataParseBenchmark",
            dependencies: [.product(name: "AWSServices", package: "aws-realtime")],
            path: "MetricDataParseBenchmark"
        ),
        // What several benchmarks share: Redis servers on loopback (one node or a cluster), the fan-out
        // sample and its pacing.
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "Payloads", package: "aws-realtime"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "BenchmarkSupport"
        ),
        .executableTarget(
            name: "RedisBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Redis", package: "aws-realtime"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "RedisBenchmark"
        ),
        // The gateway FanoutBenchmark starts for `--bus in-process`: the product's Gateway on the
        // in-process bus with a publisher in the same process.
        .executableTarget(
            name: "FanoutGateway",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Bus", package: "aws-realtime"),
                .product(name: "Gateway", package: "aws-realtime"),
                .product(name: "Payloads", package: "aws-realtime"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "FanoutGateway"
        ),
        .executableTarget(
            name: "FanoutBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Bus", package: "aws-realtime"),
                .product(name: "Payloads", package: "aws-realtime"),
                .product(name: "Redis", package: "aws-realtime"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "FanoutBenchmark"
        ),
    ]
)
