import AWSCapture
import AWSCore
import AWSReplay
import Bus
import Foundation
import Logging
import Payloads
import SigV4
import Synchronization
import Worker

// One round of a worker with many targets: `--accounts` accounts (default 50), each reached by
// sts:AssumeRole into its own role, in `--regions` Regions each (default 4), every stream on,
// against the demo AWS (AWSReplay's DemoResponder) on 127.0.0.1 through the real path: SigV4,
// libcurl, the service clients, the collectors, the poll loops and the in-process bus. The demo
// answers each request in the account and Region it was signed for.
//
// It measures, from the worker's start: the time until every (stream, target) has polled once,
// for each stream (goal: within the stream's interval); the AWS calls of that round by API (goal
// for GetMetricData: ceil(metrics/500) calls per target, never one per metric); and the process's
// resident memory, before the worker starts (the demo server and the runtime) and after the round
// (goal: the worker under 200 MiB).
//
// `swift build -c release --package-path Benchmarks --product WorkerRoundBenchmark`, then
// `Benchmarks/.build/release/WorkerRoundBenchmark [--accounts 50] [--regions 4] [--metrics 100] [--timeout 300]`

struct Options {
    var accounts = 50
    var regions = 4
    /// Metric series per (account, Region).
    var metrics = 100
    /// Seconds the round may take before the benchmark gives up.
    var timeout = 300

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            if argument == "--help" || argument == "-h" { Self.usage(nil) }
            guard let text = iterator.next(), let value = Int(text) else { Self.usage("\(argument) needs a number") }
            switch argument {
            case "--accounts": accounts = max(1, min(WorkerTargets.maximumAccounts, value))
            case "--regions": regions = max(1, min(Self.regionNames.count, value))
            case "--metrics": metrics = max(1, min(5_000, value))
            case "--timeout": timeout = max(10, min(3_600, value))
            default: Self.usage("unknown argument \(argument)")
            }
        }
    }

    static let regionNames = [
        "us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1", "ap-northeast-1", "sa-east-1",
        "ca-central-1",
    ]

    /// Prints the usage; exits 0 for `--help` (no message), 2 otherwise.
    static func usage(_ message: String?) -> Never {
        if let message { print(message) }
        print("usage: WorkerRoundBenchmark [--accounts 1-1000] [--regions 1-8] [--metrics 1-5000] [--timeout SECONDS]")
        exit(message == nil ? 0 : 2)
    }
}

/// The demo AWS, counting the requests of each operation.
final class CountingDemo: ReplayRequestHandler {
    private let demo: DemoResponder
    private let counts = Mutex<[String: Int]>([:])

    init(logger: Logger) {
        demo = DemoResponder(logger: logger)
    }

    func respond(to request: CapturedRequest) async -> ReplayAction {
        let operation = Self.operation(of: request)
        counts.withLock { $0[operation, default: 0] += 1 }
        return await demo.respond(to: request)
    }

    var snapshot: [String: Int] { counts.withLock { $0 } }

    /// `X-Amz-Target`'s operation, the query protocol's `Action`, or Security Hub's REST path.
    static func operation(of request: CapturedRequest) -> String {
        if let target = request.header("X-Amz-Target") { return String(target.split(separator: ".").last ?? "") }
        if request.path.hasPrefix("/findings") { return "GetFindings" }
        let form = String(decoding: request.body, as: UTF8.self)
        for pair in form.split(separator: "&") where pair.hasPrefix("Action=") {
            return String(pair.dropFirst("Action=".count))
        }
        return "\(request.method) \(request.path)"
    }
}

/// This process's resident memory now and at its peak, in MiB, from /proc/self/status.
func residentMemory() -> (now: Double, peak: Double) {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    func kibibytes(_ field: String) -> Double {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return 0 }
        return Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    return (kibibytes("VmRSS:") / 1024, kibibytes("VmHWM:") / 1024)
}

let options = Options(arguments: CommandLine.arguments)
var logger = Logger(label: "worker-round-benchmark")
logger.logLevel = .error
let demo = CountingDemo(logger: logger)
var replay = ReplayConfiguration()
replay.limits.maximumConnections = 256
let server = ReplayServer(handler: demo, configuration: replay, logger: logger)

let regions = Array(Options.regionNames.prefix(options.regions))
let targets = WorkerTargets(
    regions: regions,
    accounts: (0..<options.accounts).map { index in
        let id = String(format: "2000%08d", index)
        return WorkerTargets.Account(id: id, roleARN: "arn:aws:iam::\(id):role/aws-realtime-reader", regions: regions)
    })
var settings = WorkerSettings()
settings.streams.metrics.metrics = (0..<options.metrics).map { index in
    MetricsSettings.Metric(
        namespace: "AWS/EC2", name: "CPUUtilization", dimensions: ["InstanceId": String(format: "i-0a1b2c3d4e5f%05d", index)],
        statistic: "Average", period: 60)
}
settings.streams.logs.logGroups = ["/aws/lambda/orders"]
var configuration = settings.worker
configuration.demand = .always
configuration.jitter = 0

let baseline = residentMemory()
print(
    "Worker round: \(options.accounts) accounts x \(options.regions) Regions (AssumeRole each), \(options.metrics) metric "
        + "series per target, every stream, demand always, against the demo AWS on 127.0.0.1")
print(String(format: "Resident memory before the worker starts: %.1f MiB", baseline.now))

/// What one round measured.
struct RoundOutcome: Sendable {
    var done: [StreamName: Duration]
    var round: Duration
    var calls: [String: Int]
    var memory: (now: Double, peak: Double)
    var pairs: Int
    var failed: Int
}

/// Runs the worker on `targets` until every (stream, target) has polled once, or `timeout`.
func measureRound(
    server: ReplayServer, demo: CountingDemo, targets: WorkerTargets, settings: WorkerSettings,
    configuration: WorkerConfiguration, timeout: Int, logger: Logger
) async throws -> RoundOutcome {
    try await server.withServer { port in
        try await withCurlTransport(logger: logger) { transport in
            let environment = ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)"]
            let clients = WorkerTargetClients.make(
                targets: targets, rateBudgets: settings.effectiveRateBudgets,
                baseCredentials: StaticCredentialProvider(
                    AWSCredentials(accessKeyID: DemoResponder.accessKeyID, secretAccessKey: DemoResponder.secretAccessKey)),
                transport: transport, environment: environment, retry: AWSRetryConfiguration(maxAttempts: 3), logger: logger)
            let targetCollectors = clients.collectors(settings: settings.streams, logger: logger)
            let expected = Set(
                targetCollectors.flatMap { entry in
                    entry.collectors.map {
                        WorkerStatistics.TargetKey(stream: $0.stream, account: entry.target.account, region: entry.target.region)
                    }
                })
            let worker = Worker(configuration: configuration, targets: targetCollectors, bus: InProcessBus(), logger: logger)
            let started = ContinuousClock.now
            let running = Task { await worker.run() }
            var done: [StreamName: Duration] = [:]
            var failed = 0
            let deadline = started.advanced(by: .seconds(timeout))
            while ContinuousClock.now < deadline {
                let polled = worker.statistics.snapshot.targets.filter { $0.value.polls > 0 || $0.value.pollErrors > 0 }
                failed = polled.values.filter { $0.polls == 0 }.count
                for stream in StreamName.allCases where done[stream] == nil {
                    let streamKeys = expected.filter { $0.stream == stream }
                    if !streamKeys.isEmpty, streamKeys.allSatisfy({ polled[$0] != nil }) {
                        done[stream] = started.duration(to: .now)
                    }
                }
                if done.count == Set(expected.map(\.stream)).count { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let round = started.duration(to: .now)
            let calls = demo.snapshot
            let memory = residentMemory()
            worker.stop()
            await running.value
            return RoundOutcome(
                done: done, round: round, calls: calls, memory: memory, pairs: expected.count, failed: failed)
        }
    }
}

let outcome = try await measureRound(
    server: server, demo: demo, targets: targets, settings: settings, configuration: configuration,
    timeout: options.timeout, logger: logger)
let (done, round, calls, memory, pairs, failed) = (
    outcome.done, outcome.round, outcome.calls, outcome.memory, outcome.pairs, outcome.failed
)
func seconds(_ duration: Duration) -> String {
    String(format: "%.2f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
}
print("(stream, target) pairs: \(pairs); failed first polls: \(failed)")
print("stream         targets  round      interval")
for stream in StreamName.allCases {
    let interval = configuration.stream(stream).interval
    let time = done[stream].map(seconds) ?? "not done"
    let within = done[stream].map { $0 <= interval ? "within" : "OVER" } ?? "-"
    print(
        stream.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
            + "\(targetsOf(stream))".padding(toLength: 9, withPad: " ", startingAt: 0)
            + time.padding(toLength: 11, withPad: " ", startingAt: 0) + "\(interval.components.seconds) s \(within)")
}
func targetsOf(_ stream: StreamName) -> Int {
    WorkerTarget.globalStreams.contains(stream) ? options.accounts : options.accounts * options.regions
}
print("AWS calls in the round (the demo's count by API):")
for (operation, count) in calls.sorted(by: { $0.key < $1.key }) {
    print("  \(operation.padding(toLength: 22, withPad: " ", startingAt: 0)) \(count)")
}
let getMetricDataGoal = options.accounts * options.regions * ((options.metrics + 499) / 500)
print("GetMetricData goal: \(getMetricDataGoal) (ceil(\(options.metrics)/500) per target)")
print(
    String(
        format: "Round: %@; resident memory after the round: %.1f MiB (peak %.1f MiB; the worker's share %.1f MiB)",
        seconds(round), memory.now, memory.peak, memory.now - baseline.now))
