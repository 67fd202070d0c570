// Signs a CloudWatch GetMetricData POST (query protocol, ~2.8 KB form body, session token,
// payload hashed on every signature) on one thread and reports signatures per second.
//
//     swift build -c release --package-path Benchmarks --product SigV4Benchmark && Benchmarks/.build/release/SigV4Benchmark
//
// It takes no arguments: `--help` prints this, anything else the usage and exit 2.
import Foundation
import SigV4

#if canImport(Glibc)
    import Glibc
#endif

func formEncode(_ string: String) -> String {
    var out = ""
    for byte in string.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = Array("0123456789ABCDEF".utf8)
            out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
        }
    }
    return out
}

func getMetricDataBody(queries: Int) -> [UInt8] {
    var pairs: [(String, String)] = [("Action", "GetMetricData"), ("Version", "2010-08-01")]
    for index in 1...queries {
        let prefix = "MetricDataQueries.member.\(index)."
        pairs += [
            (prefix + "Id", "m\(index)"),
            (prefix + "MetricStat.Metric.Namespace", "AWS/EC2"),
            (prefix + "MetricStat.Metric.MetricName", "CPUUtilization"),
            (prefix + "MetricStat.Metric.Dimensions.member.1.Name", "InstanceId"),
            (prefix + "MetricStat.Metric.Dimensions.member.1.Value", "i-0abc\(index)def0123456789"),
            (prefix + "MetricStat.Period", "60"),
            (prefix + "MetricStat.Stat", "Average"),
        ]
    }
    pairs += [("StartTime", "2026-11-27T00:00:00Z"), ("EndTime", "2026-11-27T01:00:00Z")]
    let body = pairs.map { formEncode($0.0) + "=" + formEncode($0.1) }.joined(separator: "&")
    return Array(body.utf8)
}

let credentials = AWSCredentials(
    accessKeyID: "ASIAIOSFODNN7EXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    sessionToken: String(repeating: "IQoJb3JpZ2luX2VjEXAMPLETOKEN/", count: 14)
)
let signer = SigV4Signer(service: "monitoring", region: "eu-west-1")
let date = Date(timeIntervalSince1970: 1_795_737_600)  // 2026-11-27T00:00:00Z
let headers = [
    SigV4Header("Host", "monitoring.eu-west-1.amazonaws.com"),
    SigV4Header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
]

/// CPU time of this thread, in seconds: unlike wall-clock time, it does not count time spent
/// waiting for a core on a loaded machine.
func threadCPUTime() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Best of five runs, each bounded to 500,000 signatures or 2 seconds.
func measure(queries: Int) -> (rate: Double, nanos: Double) {
    let body = getMetricDataBody(queries: queries)
    print(
        "GetMetricData with \(queries) queries: body \(body.count) bytes,"
            + " session token \(credentials.sessionToken?.utf8.count ?? 0) bytes"
    )
    var sink: UInt8 = 0
    let clock = ContinuousClock()
    let maxCount = 500_000
    let maxTime = Duration.seconds(2)
    var best = (rate: 0.0, nanos: 0.0)
    var bestCPU = 0.0
    for run in 1...5 {
        var count = 0
        let start = clock.now
        let cpuStart = threadCPUTime()
        while count < maxCount {
            // A new request each time: the body is hashed on every signature.
            let request = SigV4Request(method: "POST", path: "/", headers: headers, payload: .bytes(body))
            let signed = signer.sign(request, credentials: credentials, date: date)
            sink ^= signed.headers.last?.value.utf8.last ?? 0
            count += 1
            if count & 1023 == 0, clock.now - start > maxTime { break }
        }
        let elapsed = clock.now - start
        let cpuSeconds = threadCPUTime() - cpuStart
        let cpuRate = Double(count) / cpuSeconds
        bestCPU = max(bestCPU, cpuRate)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(count) / seconds
        let nanos = seconds * 1e9 / Double(count)
        print(
            "  run \(run): \(count) signatures in \(String(format: "%.3f", seconds)) s: \(Int(rate))/s, \(Int(nanos)) ns each;"
                + " CPU time \(String(format: "%.3f", cpuSeconds)) s: \(Int(cpuRate))/s, \(Int(1e9 / cpuRate)) ns each"
        )
        if rate > best.rate { best = (rate, nanos) }
    }
    print(
        "  best wall-clock: \(Int(best.rate)) signatures/s, \(Int(best.nanos)) ns/signature;"
            + " best CPU time: \(Int(bestCPU)) signatures/s, \(Int(1e9 / bestCPU)) ns/signature"
            + " (goal 200000/s) [\(sink)]"
    )
    return best
}

if let argument = CommandLine.arguments.dropFirst().first {
    let isHelp = argument == "--help" || argument == "-h"
    if !isHelp { print("unknown argument \(argument)") }
    print("usage: SigV4Benchmark (no arguments): signs GetMetricData requests on one thread, best of five runs")
    exit(isHelp ? 0 : 2)
}

// The request the worker sends: 10 queries with every field (about 4.5 KB).
_ = measure(queries: 10)
// About 2.8 KB, the size the goal was set for.
_ = measure(queries: 6)
