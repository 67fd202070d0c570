import AWSCapture
import AWSCore
import AWSReplay
import ArgumentParser
import Foundation
import Logging

/// `aws-realtime replay DIR`: serves a capture folder over HTTP on loopback.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Serve a folder of captures over HTTP (tests point AWS_ENDPOINT_URL at it).",
        discussion: """
            Prints the bound URL (http://HOST:PORT) on stdout once listening, then serves until interrupted.
            Requests are matched to captures by method, path, operation and normalised body; the captures of
            one request are served in file-name order. See the README section "Captures".
            """
    )

    @Argument(help: "The capture folder (its *.json files, not sub-folders).")
    var folder: String

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 4566

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "A JSON fault schedule file: {\"faults\": [{\"operation\": …, \"requests\": [1, 2], \"kind\": \"throttle\"}]}.")
    var faults: String?

    @Option(
        name: .customLong("fault"),
        help:
            "A fault rule as name=value pairs, e.g. kind=throttle,operation=LookupEvents,requests=1+2. Repeatable; tried after the file's rules."
    )
    var faultRules: [String] = []

    @Flag(help: "Answer 403 unless a well-formed SigV4 Authorization header is present.")
    var requireSignature = false

    @Option(help: "After the last capture of a request: repeat-last, cycle or not-found.")
    var afterLast: String = "repeat-last"

    @Option(help: "Comma-separated fields ignored when matching, replacing the default list.")
    var ignoreFields: String?

    @Option(help: "Largest request body accepted, in bytes.")
    var maxBodyBytes: Int = 1024 * 1024

    @Option(help: "Most connections open at once.")
    var maxConnections: Int = 64

    func run() async throws {
        try LoggingConfiguration.bootstrapFromEnvironment(ProcessInfo.processInfo.environment)
        let logger = Logger(label: "aws-realtime.replay")
        var configuration = ReplayConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.requiresSignature = requireSignature
        configuration.limits.maximumRequestBodyBytes = maxBodyBytes
        configuration.limits.maximumConnections = maxConnections
        guard let exhaustion = CaptureExhaustion(name: afterLast) else {
            throw ValidationError("--after-last must be repeat-last, cycle or not-found")
        }
        configuration.exhaustion = exhaustion
        if let ignoreFields {
            configuration.matching = CaptureMatching(ignoredFields: ignoreFields.split(separator: ",").map(String.init))
        }
        var schedule = ReplayFaultSchedule.none
        if let faults {
            guard let data = FileManager.default.contents(atPath: faults) else {
                throw ValidationError("cannot read the fault schedule \(faults)")
            }
            schedule = try ReplayFaultSchedule.parse(Array(data))
        }
        for rule in faultRules { schedule.rules.append(try ReplayFaultSchedule.parseFlag(rule)) }
        configuration.faults = schedule

        let captures = try CaptureFolder.load(folder)
        logger.info("replay loaded captures", metadata: ["replay.folder": "\(folder)", "replay.captures": "\(captures.count)"])
        let server = ReplayServer(captures: captures, configuration: configuration, logger: logger)
        let host = host
        try await server.run { port in
            // Unbuffered, so a parent process reading the pipe sees it at once.
            FileHandle.standardOutput.write(Data("http://\(host):\(port)\n".utf8))
        }
    }
}
