import ServiceLifecycle

/// Runs `body`, a loop that keeps connections until its task is cancelled, so that it also ends
/// when a `ServiceGroup` shuts down gracefully (services stop in reverse order, so those that
/// send through a client stop before it). The cancellation that ends it is its normal end, not
/// an error.
func runUntilCancelledOrShutDown(_ body: @escaping @Sendable () async throws -> Void) async throws {
    do {
        try await cancelWhenGracefulShutdown(body)
    } catch is CancellationError {
        // The end it was waiting for.
    }
}
