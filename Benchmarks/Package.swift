// swift-tools-version:6.0
import PackageDescription

// The benchmarks, a package of their own beside the product (as swift-nio's and hummingbird's):
// `swift build` of the product does not build them. Run from this folder:
// `swift run -c release SpendSimulation`.
let package = Package(
    name: "aws-realtime-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "aws-realtime", path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
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
        )
    ]
)
