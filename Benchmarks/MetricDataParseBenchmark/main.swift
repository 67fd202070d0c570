// Parses a generated GetMetricData XML response (500 series x 1,440 points, as CloudWatch sends
// them) into typed results N times and reports throughput and peak memory.
//
//     swift build -c release --package-path Benchmarks --product MetricDataParseBenchmark
//     Benchmarks/.build/release/MetricDataParseBenchmark [iterations] [series] [points]
import AWSServices
import Foundation

/// `VmHWM` (peak resident set) of /proc/self/status, in kB.
func peakResidentKilobytes() -> Int? {
    statusKilobytes("VmHWM:")
}

/// `VmRSS` (current resident set) of /proc/self/status, in kB.
func residentKilobytes() -> Int? {
    statusKilobytes("VmRSS:")
}

func statusKilobytes(_ field: String) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix(field) {
        return Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "")
    }
    return nil
}

func megabytes(_ kilobytes: Int?) -> String {
    kilobytes.map { String(format: "%.1f MB", Double($0) / 1024) } ?? "n/a"
}

/// A response as CloudWatch writes it: one `member` per series with Id, Label, Timestamps,
/// Values and StatusCode, minute timestamps, six-decimal values, 2-space indentation. Written
/// straight into bytes (capacity reserved) so the body exists once in memory.
func makeResponse(series: Int, points: Int) -> [UInt8] {
    var body: [UInt8] = []
    body.reserveCapacity(series * (points * 86 + 400) + 400)
    func write(_ text: String) {
        body.append(contentsOf: text.utf8)
    }
    write(#"<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">"#)
    write("\n  <GetMetricDataResult>\n    <MetricDataResults>\n")
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    let start = 1_795_737_600  // 2026-11-27T00:00:00Z
    for index in 0..<series {
        write("      <member>\n        <Id>m\(index)</Id>\n")
        write("        <Label>i-0\(String(index, radix: 16))abcdef CPUUtilization</Label>\n")
        write("        <Timestamps>\n")
        for point in 0..<points {
            let seconds = start + point * 60
            let day = 27 + seconds / 86_400 - start / 86_400
            let secondOfDay = seconds % 86_400
            let time = "\(pad(secondOfDay / 3600)):\(pad(secondOfDay % 3600 / 60)):\(pad(secondOfDay % 60))"
            write("          <member>2026-11-\(day)T\(time)Z</member>\n")
        }
        write("        </Timestamps>\n        <Values>\n")
        for _ in 0..<points {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let value = Double(state >> 11) / Double(1 << 53) * 100
            write("          <member>\(String(format: "%.6f", value))</member>\n")
        }
        write("        </Values>\n        <StatusCode>Complete</StatusCode>\n      </member>\n")
    }
    write("    </MetricDataResults>\n    <Messages/>\n  </GetMetricDataResult>\n")
    write("  <ResponseMetadata>\n    <RequestId>8a1e3c1e-6b1a-4f69-9b1f-2f1c4e1d2a3b</RequestId>\n  </ResponseMetadata>\n")
    write("</GetMetricDataResponse>\n")
    return body
}

func pad(_ value: Int) -> String {
    value < 10 ? "0\(value)" : "\(value)"
}

let usage =
    "usage: MetricDataParseBenchmark [iterations 1-1000 (10)] [series 1-500 (500)] [points 1-100800 (1440)]"
let givenArguments = Array(CommandLine.arguments.dropFirst())
if givenArguments.contains("--help") || givenArguments.contains("-h") {
    print(usage)
    exit(0)
}
if givenArguments.count > 3 || givenArguments.contains(where: { Int($0) == nil }) {
    print("arguments are up to three whole numbers")
    print(usage)
    exit(2)
}
let arguments = givenArguments.compactMap { Int($0) }
let iterations = min(max(arguments.first ?? 10, 1), 1_000)
let series = min(max(arguments.dropFirst().first ?? 500, 1), 500)
let points = min(max(arguments.dropFirst(2).first ?? 1_440, 1), 100_800)

let peakBefore = peakResidentKilobytes()
let body = makeResponse(series: series, points: points)
let peakAfterGeneration = peakResidentKilobytes()
let residentAfterGeneration = residentKilobytes()
print("GetMetricData response: \(series) series x \(points) points, \(String(format: "%.1f", Double(body.count) / 1e6)) MB")

// Warm up once and check the result.
do {
    let page = try GetMetricDataResponseParser.parse(body)
    guard page.results.count == series, page.results.allSatisfy({ $0.values.count == points && $0.timestamps.count == points })
    else {
        print("unexpected parse result: \(page.results.count) series")
        exit(1)
    }
} catch {
    print("parse failed: \(error)")
    exit(1)
}

let clock = ContinuousClock()
var fastest = Duration.seconds(1_000)
var total = Duration.zero
var checksum = 0.0
for _ in 0..<iterations {
    let start = clock.now
    let page: GetMetricDataPage
    do {
        page = try GetMetricDataResponseParser.parse(body)
    } catch {
        print("parse failed: \(error)")
        exit(1)
    }
    let elapsed = clock.now - start
    checksum += page.results[0].values[0]
    fastest = min(fastest, elapsed)
    total += elapsed
}
let peakAfter = peakResidentKilobytes()

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}
let mean = seconds(total) / Double(iterations)
let megabytesPerSecond = Double(body.count) / 1e6 / mean
print(
    String(
        format:
            "%d iterations: mean %.1f ms, fastest %.1f ms; %.0f MB/s (mean), %.0f MB/s (fastest); %.0f series/s; %.1f M points/s",
        iterations, mean * 1e3, seconds(fastest) * 1e3, megabytesPerSecond, Double(body.count) / 1e6 / seconds(fastest),
        Double(series) / mean, Double(series * points) / mean / 1e6))
print(
    "peak memory (VmHWM): \(megabytes(peakBefore)) at start, \(megabytes(peakAfterGeneration)) after generating the body "
        + "(resident \(megabytes(residentAfterGeneration))), \(megabytes(peakAfter)) after parsing; "
        + "the parse's own peak: \(megabytes(peakAfter.flatMap { after in residentAfterGeneration.map { after - $0 } })) "
        + "above the resident body (checksum \(checksum))")
