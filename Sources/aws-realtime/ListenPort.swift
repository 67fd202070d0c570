import ArgumentParser

/// The port a command listens on, read the same way by every command: `--port`, else `PORT`,
/// else the command's default. Out of 0...65535 is a usage error naming where the value came from.
enum ListenPort {
    static func resolve(explicit: Int?, environment: [String: String], defaultPort: Int) throws -> Int {
        if let explicit {
            guard (0...65535).contains(explicit) else { throw ValidationError("--port \(explicit) is not a port number") }
            return explicit
        }
        guard let text = environment["PORT"], !text.isEmpty else { return defaultPort }
        guard let value = Int(text), (0...65535).contains(value) else {
            throw ValidationError("PORT '\(text)' is not a port number")
        }
        return value
    }
}
