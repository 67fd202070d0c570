import Synchronization

/// The derived signing key (SigV4 spec, "Calculate the signing key"):
/// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`,
/// kept as a keyed HMAC state ready to sign strings.
struct SigV4SigningKey: Sendable {
    /// The raw 32-byte key (for tests).
    let bytes: [UInt8]
    let hmac: SigV4KeyedHMAC

    init(secretAccessKey: String, dateStamp: ArraySlice<UInt8>, region: String, service: String) {
        var key = Array("AWS4".utf8)
        key.append(contentsOf: secretAccessKey.utf8)
        key = SigV4Hashing.hmac(key: key, data: Array(dateStamp))
        key = SigV4Hashing.hmac(key: key, data: Array(region.utf8))
        key = SigV4Hashing.hmac(key: key, data: Array(service.utf8))
        key = SigV4Hashing.hmac(key: key, data: Array("aws4_request".utf8))
        bytes = key
        hmac = SigV4KeyedHMAC(key: key)
    }
}

/// A small, bounded, thread-safe cache of signing keys, keyed by (secret, day, region, service).
///
/// A key is valid for one UTC day, so a process signing with one set of credentials derives it
/// once a day. The cache holds at most ``capacity`` keys and replaces the oldest entry when full.
/// Share one cache between signers (the default is one per signer).
public final class SigV4SigningKeyCache: Sendable {
    struct Entry {
        let secretAccessKey: String
        let day: Int
        let region: String
        let service: String
        let key: SigV4SigningKey
    }

    struct State {
        var entries: [Entry] = []
        var next = 0
        var derivations = 0
    }

    /// The most keys held at once.
    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = 8) {
        self.capacity = max(1, capacity)
    }

    /// How many keys have been derived (misses), for tests and metrics.
    public var derivationCount: Int { state.withLock { $0.derivations } }

    func signingKey(
        secretAccessKey: String,
        date: SigV4Date,
        region: String,
        service: String
    ) -> SigV4SigningKey {
        let cached: SigV4SigningKey? = state.withLock { state in
            for entry in state.entries
            where entry.day == date.day && entry.secretAccessKey == secretAccessKey && entry.region == region
                && entry.service == service
            {
                return entry.key
            }
            return nil
        }
        if let cached { return cached }
        // Derive outside the lock; two threads may both derive once, which is harmless.
        let key = SigV4SigningKey(
            secretAccessKey: secretAccessKey,
            dateStamp: date.dateStamp,
            region: region,
            service: service
        )
        let entry = Entry(secretAccessKey: secretAccessKey, day: date.day, region: region, service: service, key: key)
        let capacity = self.capacity
        state.withLock { state in
            state.derivations += 1
            if state.entries.count < capacity {
                state.entries.append(entry)
            } else {
                state.entries[state.next] = entry
                state.next = (state.next + 1) % capacity
            }
        }
        return key
    }
}
