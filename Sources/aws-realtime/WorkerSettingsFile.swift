import ArgumentParser
import Foundation
import Worker

/// The worker's YAML configuration, shared by `worker` and `standalone`: `--config`, else
/// `WORKER_CONFIG`, else every default; then the environment's overrides
/// (``WorkerSettings/applyEnvironment(_:)``).
enum WorkerSettingsFile {
    static func load(path explicit: String?, environment: [String: String]) throws -> WorkerSettings {
        var settings = try file(path: explicit, environment: environment)
        do {
            try settings.applyEnvironment(environment)
        } catch {
            throw ValidationError("\(error)")
        }
        return settings
    }

    private static func file(path explicit: String?, environment: [String: String]) throws -> WorkerSettings {
        guard let path = explicit ?? environment["WORKER_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return WorkerSettings()
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        do {
            return try WorkerSettings.parse(yaml: text)
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }
}
