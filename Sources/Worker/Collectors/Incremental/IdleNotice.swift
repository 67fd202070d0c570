import Synchronization

/// Remembers whether something was said already, so a stream that stays idle says so once.
final class IdleNotice: Sendable {
    private let said = Mutex(false)

    /// True the first time only.
    func claim() -> Bool {
        said.withLock { said in
            defer { said = true }
            return !said
        }
    }
}
