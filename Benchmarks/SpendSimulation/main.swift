import AWSCore
import AWSReplay
import AWSServices
import Bus
import Foundation
import Logging
import Payloads
import Worker

// The spend simulation: reference workload R (500 EC2 metrics at 5-minute basic monitoring, one
// dashboard open from 09:00 to 17:00, every other setting default) over simulated days on a
// faster clock, through the real collectors, poll schedule and demand logic (the worker on its
// in-process bus, libcurl to a simulated AWS on 127.0.0.1). It prints the requests and dollars
// of every API, watched and unwatched, from the simulated AWS's call log, and the worker's own
// figure, which must agree.
//
// `swift run -c release --package-path Benchmarks SpendSimulation [--days D] [--rate R] [--metrics M] [--watch 9-17] [--budget DOLLARS]`

struct Options {
    var days = 1
    /// Simulated seconds per real second.
    var rate = 720.0
    var metrics = 500
    var watchFrom = 9
    var watchTo = 17
    var budget: Double?

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            if argument == "--help" || argument == "-h" { Self.usage(nil) }
            guard let value = iterator.next() else { Self.usage("\(argument) needs a value") }
            switch argument {
            case "--days": days = max(1, min(7, Int(value) ?? days))
            case "--rate": rate = max(60, min(3_600, Double(value) ?? rate))
            case "--metrics": metrics = max(1, min(5_000, Int(value) ?? metrics))
            case "--watch":
                let hours = value.split(separator: "-").compactMap { Int($0) }
                guard hours.count == 2, (0...24).contains(hours[0]), (0...24).contains(hours[1]), hours[0] <= hours[1] else {
                    Self.usage("--watch takes FROM-TO hours, such as 9-17")
                }
                (watchFrom, watchTo) = (hours[0], hours[1])
            case "--budget": budget = Double(value)
            default: Self.usage("unknown argument \(argument)")
            }
        }
    }

    /// Prints the usage; exits 0 for `--help` (no message), 2 otherwise.
    static func usage(_ message: String?) -> Never {
        if let message { print(message) }
        print("usage: SpendSimulation [--days 1-7] [--rate 60-3600] [--metrics N] [--watch FROM-TO] [--budget DOLLARS]")
        exit(message == nil ? 0 : 2)
    }
}

let options = Options(arguments: CommandLine.arguments)
/// 2026-12-01T00:00:00Z, a Tuesday.
let start = Date(timeIntervalSince1970: 1_796_083_200)
let end = start.addingTimeInterval(Double(options.days) * 86_400)
let clock = WorkerClock.accelerated(from: start, rate: options.rate)

@Sendable func isWatched(_ date: Date) -> Bool {
    let hour = date.timeIntervalSince(start).truncatingRemainder(dividingBy: 86_400) / 3_600
    return hour >= Double(options.watchFrom) && hour < Double(options.watchTo)
}

/// Waits until the simulated clock reads `date`.
func sleep(until date: Date) async throws {
    let seconds = date.timeIntervalSince(clock.now()) / options.rate
    if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64(seconds * 1_000))) }
}

var logger = Logger(label: "spend-simulation")
logger.logLevel = .error
let aws = SimulatedAWS(metricCount: options.metrics, clock: clock, isWatched: isWatched)
let server = ReplayServer(handler: aws, logger: logger)
let workerLogger = logger

print(
    "Spend simulation: \(options.metrics) EC2 metrics (5-minute basic monitoring), a dashboard on every stream "
        + "from \(options.watchFrom):00 to \(options.watchTo):00, \(options.days) simulated day(s) at \(Int(options.rate))x, "
        + "daily spend budget \(options.budget.map { "$\($0)" } ?? "none"), every other setting default")
let started = ContinuousClock.now
let worker = try await server.withServer { port in
    try await withCurlTransport(logger: workerLogger) { transport in
        let client = AWSClient(
            region: "us-east-1", transport: transport,
            credentialProvider: EnvironmentCredentialProvider(environment: [
                "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            ]),
            endpoints: AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)"]),
            retry: AWSRetryConfiguration(maxAttempts: 1), logger: workerLogger)
        let settings = WorkerSettings()
        var configuration = settings.worker
        configuration.account = "123456789012"
        configuration.region = "us-east-1"
        configuration.dailySpendBudget = options.budget
        let bus = InProcessBus()
        // AWS's request quotas in simulated time: the rate budgets run on the real clock.
        let budgets = AWSRateBudgets(
            callsPerSecond: Dictionary(
                uniqueKeysWithValues: settings.effectiveRateBudgets.map { ($0.key, $0.value * options.rate) }))
        let collectors = CollectorFactory.makeCollectors(
            settings: settings.streams, client: client, budgets: budgets,
            logger: workerLogger, now: { clock.now() })
        let worker = Worker(configuration: configuration, collectors: collectors, bus: bus, logger: workerLogger, clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            // The dashboard: every stream, from watchFrom to watchTo each day.
            for day in 0..<options.days {
                let opens = start.addingTimeInterval(Double(day * 86_400 + options.watchFrom * 3_600))
                let closes = start.addingTimeInterval(Double(day * 86_400 + options.watchTo * 3_600))
                try await sleep(until: opens)
                let dashboard = bus.makeSubscriber()
                for stream in StreamName.allCases { try await dashboard.subscribe(to: stream) }
                try await sleep(until: closes)
                dashboard.close()
            }
            try await sleep(until: end)
            worker.stop()
            try await group.waitForAll()
        }
        return worker
    }
}
let elapsed = started.duration(to: .now)

// The bill, from the simulated AWS's call log.
let entries = aws.entries
let operations = Set(entries.map(\.operation)).sorted()
func line(_ columns: [String]) -> String {
    zip(columns, [22, 10, 12, 16, 12, 12]).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined()
}
print(line(["API", "requests", "unwatched", "metrics billed", "$ watched", "$ unwatched"]))
var total = (watched: 0.0, unwatched: 0.0)
for operation in operations {
    let calls = entries.filter { $0.operation == operation }
    func dollars(_ watched: Bool) -> Double {
        let part = calls.filter { $0.isWatched == watched }
        return AWSBilling.dollars(
            operation: operation, billedRequests: part.count, billedMetrics: part.reduce(0) { $0 + $1.metricsRequested })
    }
    total.watched += dollars(true)
    total.unwatched += dollars(false)
    print(
        line([
            operation, "\(calls.count)", "\(calls.filter { !$0.isWatched }.count)",
            "\(calls.reduce(0) { $0 + $1.metricsRequested })", String(format: "%.4f", dollars(true)),
            String(format: "%.4f", dollars(false)),
        ]))
}
let days = Double(options.days)
print(
    String(
        format: "Total: $%.4f a day ($%.4f watched, $%.4f unwatched); the worker's own figure: $%.4f a day. %.0f s of real time.",
        (total.watched + total.unwatched) / days, total.watched / days, total.unwatched / days,
        worker.statistics.snapshot.awsDollars.values.reduce(0, +) / days, Double(elapsed.components.seconds)))
let unwatchedBilled = entries.filter {
    !$0.isWatched && ["GetMetricData", "GetCostAndUsage", "GetCostForecast"].contains($0.operation)
}.count
print(
    "Goal: R at most $0.60 a day, $0.00 of GetMetricData and Cost Explorer while nobody watches: "
        + ((total.watched + total.unwatched) / days <= 0.60 && unwatchedBilled == 0 ? "met" : "NOT met"))
