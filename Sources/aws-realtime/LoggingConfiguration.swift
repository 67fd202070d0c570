import ArgumentParser
import Foundation
import Logging

/// How every command logs, read once from the environment: to standard error, one JSON object a
/// line (`LOG_FORMAT=json`, the default when standard error is not a terminal) or readable text
/// (`LOG_FORMAT=text`, the default on a terminal), at `LOG_LEVEL` (default info). A value that is
/// neither is refused at start, naming the variable, rather than silently read as the default.
struct LoggingConfiguration: Sendable, Equatable {
    enum Format: String, Sendable, CaseIterable {
        case json
        case text
    }

    var level: Logger.Level
    var format: Format

    init(level: Logger.Level = .info, format: Format) {
        self.level = level
        self.format = format
    }

    /// `LOG_LEVEL` takes swift-log's level names in any case, and `warn` for `warning`; `LOG_FORMAT`
    /// takes `json` or `text`. Empty counts as unset.
    init(environment: [String: String], standardErrorIsTerminal: Bool) throws(ValidationError) {
        switch environment["LOG_LEVEL"]?.lowercased() {
        case nil, "": level = .info
        case "warn": level = .warning
        case let text?:
            guard let parsed = Logger.Level(rawValue: text) else {
                throw ValidationError(
                    "LOG_LEVEL '\(environment["LOG_LEVEL"] ?? "")' is not a log level: use "
                        + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
            }
            level = parsed
        }
        switch environment["LOG_FORMAT"]?.lowercased() {
        case nil, "": format = standardErrorIsTerminal ? .text : .json
        case let text?:
            guard let parsed = Format(rawValue: text) else {
                throw ValidationError(
                    "LOG_FORMAT '\(environment["LOG_FORMAT"] ?? "")' is not a log format: use json or text")
            }
            format = parsed
        }
    }

    /// Reads the process's environment and installs the log handler; once per process, before the
    /// first logger is made (swift-log allows one bootstrap).
    static func bootstrapFromEnvironment(_ environment: [String: String]) throws(ValidationError) {
        let configuration = try LoggingConfiguration(
            environment: environment, standardErrorIsTerminal: isatty(STDERR_FILENO) != 0)
        configuration.bootstrap()
    }

    func bootstrap() {
        let level = level
        let format = format
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch format {
                case .json: JSONLogHandler(label: label)
                case .text: StreamLogHandler.standardError(label: label)
                }
            handler.logLevel = level
            return handler
        }
    }
}

/// One JSON object per log line on standard error: time, level, label, message and metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: Any] = [
            "time": ISO8601DateFormatter().string(from: Date()), "level": "\(event.level)", "label": label,
            "message": "\(event.message)",
        ]
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged { object[key] = "\(value)" }
        object["source"] = event.source
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        data.append(UInt8(ascii: "\n"))
        FileHandle.standardError.write(data)
    }
}
