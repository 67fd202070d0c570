/// Runs `operation` for at most `timeout`: its result when it finishes in time, otherwise
/// `fallback` (the operation is then cancelled, and awaited before this returns).
///
/// For waits that end on a condition or give up: the operation must return promptly once
/// cancelled.
public func withTimeout<Result: Sendable>(
    _ timeout: Duration, orElse fallback: Result, _ operation: @escaping @Sendable () async -> Result
) async -> Result {
    await withTaskGroup(of: Result.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return fallback
        }
        let first = await group.next() ?? fallback
        group.cancelAll()
        return first
    }
}
