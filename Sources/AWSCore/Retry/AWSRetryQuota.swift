import Synchronization

/// The standard mode's retry quota, shared by every call of one client: a retry takes tokens
/// (more after a timeout), a success gives some back. When it is empty, errors are returned at
/// once instead of retried, so an outage does not multiply the load on AWS.
public final class AWSRetryQuota: Sendable {
    private let tokens: Mutex<Int>
    private let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
        self.tokens = Mutex(capacity)
    }

    public var available: Int { tokens.withLock { $0 } }

    /// Takes `cost` tokens if there are that many.
    func acquire(_ cost: Int) -> Bool {
        tokens.withLock { tokens in
            guard tokens >= cost else { return false }
            tokens -= cost
            return true
        }
    }

    func release(_ amount: Int) {
        tokens.withLock { $0 = min(capacity, $0 + amount) }
    }
}
