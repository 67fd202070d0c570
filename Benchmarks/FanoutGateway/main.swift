// FanoutGateway: the gateway `FanoutBenchmark --bus in-process` starts, one process per run.
// The product's `Gateway` on the in-process bus, configured exactly as `aws-realtime gateway
// --allow-anonymous --bus in-process` configures it (GatewayConfiguration.fromEnvironment, the
// same environment), with `BenchmarkPublisher` in the same process publishing RATE envelopes a
// second on aws-metrics. It lives here so the product binary carries no benchmark code.
//
//   FanoutGateway --host 127.0.0.1 --port PORT --rate RATE
import Bus
import Foundation
import Gateway
import Logging
import ServiceLifecycle

struct Options {
    var host = "127.0.0.1"
    var port = 8080
    var rate = 10

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            if argument == "--help" || argument == "-h" { Self.usage(nil) }
            guard let value = iterator.next() else { Self.usage("\(argument) needs a value") }
            switch argument {
            case "--host": host = value
            case "--port":
                guard let port = Int(value), (0...65535).contains(port) else { Self.usage("--port takes 0-65535") }
                self.port = port
            case "--rate":
                guard let rate = Int(value), (0...1_000_000).contains(rate) else { Self.usage("--rate takes 0-1000000") }
                self.rate = rate
            default: Self.usage("unknown argument \(argument)")
            }
        }
    }

    /// Prints the usage; exits 0 for `--help` (no message), 2 otherwise.
    static func usage(_ message: String?) -> Never {
        if let message { print(message) }
        print(
            "usage: FanoutGateway [--host ADDRESS] [--port PORT] [--rate ENVELOPES_PER_SECOND]\n"
                + "The gateway's limits come from the environment, as for `aws-realtime gateway` (GATEWAY_*, LOG_LEVEL).")
        exit(message == nil ? 0 : 2)
    }
}

let options = Options(arguments: CommandLine.arguments)
let environment = ProcessInfo.processInfo.environment
LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
var logger = Logger(label: "aws-realtime.fanout-gateway")
logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

do {
    var base = GatewayConfiguration(host: options.host)
    base.port = options.port
    let configuration = try GatewayConfiguration.fromEnvironment(
        environment, base: base, allowAnonymous: true, readFile: { try String(contentsOfFile: $0, encoding: .utf8) })
    try await Gateway<InProcessSubscriber>.validate(configuration)

    let inProcess = InProcessBus()
    let subscriber = inProcess.makeSubscriber()
    defer { subscriber.close() }
    let services: [any Service] = [
        Gateway(bus: subscriber, configuration: configuration, logger: logger),
        BenchmarkPublisher(bus: inProcess, rate: options.rate, logger: logger),
    ]
    let group = ServiceGroup(
        services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
    try await group.run()
} catch {
    print("FanoutGateway failed: \(error)")
    exit(1)
}
