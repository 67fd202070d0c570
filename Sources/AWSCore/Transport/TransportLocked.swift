import Foundation

/// A value that is only ever touched while holding a lock.
///
/// `Synchronization.Mutex` would do, but it needs macOS 15 and the package still builds for macOS 14.
final class TransportLocked<Value: Sendable>: @unchecked Sendable {
    // Safe because `value` is private and only read or written inside `withLock`, which holds
    // `lock` for the whole access; `NSLock` itself is thread-safe and `Value` is `Sendable`, so
    // what leaves the closure may cross threads.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
