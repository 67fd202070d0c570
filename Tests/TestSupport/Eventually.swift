/// Polls `condition` every `interval` until it holds or `timeout` passes, then checks once more; returns
/// whether it held. While polling, an error thrown by `condition` counts as "not yet"; the last check's
/// error is thrown. The one polling loop of the tests: every suite's wait goes through here.
public func eventually(
    timeout: Duration,
    every interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}

/// `eventually`, throwing an `EventuallyTimeout` that names `what` when `condition` never held.
public func waitUntil(
    _ what: String,
    timeout: Duration,
    every interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async throws {
    guard try await eventually(timeout: timeout, every: interval, condition) else {
        throw EventuallyTimeout(what: what, timeout: timeout)
    }
}

/// A condition a test waited for did not hold in time.
public struct EventuallyTimeout: Error, CustomStringConvertible {
    public let what: String
    public let timeout: Duration

    public var description: String { "timed out after \(timeout) waiting until \(what)" }
}

/// The first element of `sequence` that `match` maps to a value, waiting at most `timeout`; throws an
/// `EventuallyTimeout` naming `what` when none came in time (or the sequence ended first).
public func firstElement<Elements: AsyncSequence & Sendable, Value: Sendable>(
    _ what: String,
    of sequence: Elements,
    timeout: Duration,
    where match: @escaping @Sendable (Elements.Element) -> Value?
) async throws -> Value where Elements.Element: Sendable {
    let found = try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask {
            for try await element in sequence {
                if let value = match(element) { return value }
            }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
    guard let found else { throw EventuallyTimeout(what: what, timeout: timeout) }
    return found
}
