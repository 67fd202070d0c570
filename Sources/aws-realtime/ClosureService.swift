import ServiceLifecycle

/// A long-running piece (a Redis connection's `run()`, say) as a `Service`: it runs until the
/// group shuts it down gracefully (services shut down in reverse order, so those that depend on
/// it stop first) or cancels it.
struct ClosureService: Service, CustomStringConvertible {
    let description: String
    let body: @Sendable () async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable () async throws -> Void) {
        self.description = name
        self.body = body
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await body() }
        } catch is CancellationError {
            // The shutdown itself.
        }
    }
}
