import AWSCore
import Foundation
import SigV4
import Synchronization
import TestSupport
import Testing

/// A source that hands out numbered credentials, or fails when told to.
final class ScriptedSource: CredentialSource, Sendable {
    let name = "scripted"
    private let state = Mutex((fetches: 0, failing: false))
    private let lifetime: TimeInterval
    private let clock: ManualClock
    private let delay: Duration

    init(clock: ManualClock, lifetime: TimeInterval = 3600, delay: Duration = .zero) {
        self.clock = clock
        self.lifetime = lifetime
        self.delay = delay
    }

    var fetches: Int { state.withLock { $0.fetches } }
    func fail(_ failing: Bool) { state.withLock { $0.failing = failing } }

    func fetchCredentials() async throws -> ExpiringCredentials {
        if delay > .zero { try await Task.sleep(for: delay) }
        let (number, failing) = state.withLock { state in
            state.fetches += 1
            return (state.fetches, state.failing)
        }
        if failing { throw AWSError(kind: .credentials, message: "scripted failure \(number)") }
        return ExpiringCredentials(
            AWSCredentials(
                accessKeyID: "ASIA\(number)", secretAccessKey: TestSecrets.secretKey, sessionToken: TestSecrets.sessionToken),
            expiration: clock.now().addingTimeInterval(lifetime))
    }
}

@Suite struct RefreshingCredentialProviderTests {
    static let start = "2026-11-27T00:00:00Z"

    @Test func cachesUntilTheRefreshWindow() async throws {
        let clock = ManualClock(iso: Self.start)
        let source = ScriptedSource(clock: clock)
        let provider = RefreshingCredentialProvider(source: source, now: clock.now, logger: quietLogger())
        #expect(try await provider.credentials().accessKeyID == "ASIA1")
        clock.advance(by: 3600 - 301)
        #expect(try await provider.credentials().accessKeyID == "ASIA1")
        #expect(source.fetches == 1)
        // 4 minutes 59 before expiry: inside the default 5-minute window.
        clock.advance(by: 2)
        #expect(try await provider.credentials().accessKeyID == "ASIA2")
        #expect(source.fetches == 2)
    }

    @Test func refreshWindowIsConfigurable() async throws {
        let clock = ManualClock(iso: Self.start)
        let source = ScriptedSource(clock: clock)
        let provider = RefreshingCredentialProvider(
            source: source, configuration: CredentialRefreshConfiguration(refreshWindow: .seconds(900)), now: clock.now,
            logger: quietLogger())
        _ = try await provider.credentials()
        clock.advance(by: 3600 - 899)
        #expect(try await provider.credentials().accessKeyID == "ASIA2")
    }

    @Test func failedRefreshKeepsTheOldCredentialsUntilExpiryWithBackoff() async throws {
        let clock = ManualClock(iso: Self.start)
        let source = ScriptedSource(clock: clock)
        let (logger, lines) = capturingLogger()
        let provider = RefreshingCredentialProvider(
            source: source,
            configuration: CredentialRefreshConfiguration(initialRetryBackoff: .seconds(10), maxRetryBackoff: .seconds(40)),
            now: clock.now, logger: logger)
        _ = try await provider.credentials()
        source.fail(true)
        clock.advance(by: 3600 - 200)
        // The refresh fails: the still-valid credentials come back.
        #expect(try await provider.credentials().accessKeyID == "ASIA1")
        #expect(source.fetches == 2)
        // Within the backoff: no new attempt.
        clock.advance(by: 5)
        #expect(try await provider.credentials().accessKeyID == "ASIA1")
        #expect(source.fetches == 2)
        // After 10 s: one more attempt, which fails again; the next backoff is 20 s.
        clock.advance(by: 6)
        #expect(try await provider.credentials().accessKeyID == "ASIA1")
        #expect(source.fetches == 3)
        clock.advance(by: 15)
        _ = try await provider.credentials()
        #expect(source.fetches == 3)
        clock.advance(by: 6)
        _ = try await provider.credentials()
        #expect(source.fetches == 4)
        // Expired: the failure is thrown.
        clock.advance(by: 200)
        await #expect(throws: AWSError.self) { try await provider.credentials() }
        // The source recovers: new credentials at once.
        source.fail(false)
        #expect(try await provider.credentials().accessKeyID == "ASIA6")
        #expect(lines.text.contains("keeping the current credentials"))
        #expect(TestSecrets.leaks(in: lines.text).isEmpty)
    }

    @Test func invalidateForcesARefresh() async throws {
        let clock = ManualClock(iso: Self.start)
        let source = ScriptedSource(clock: clock)
        let provider = RefreshingCredentialProvider(source: source, now: clock.now, logger: quietLogger())
        _ = try await provider.credentials()
        await provider.invalidate()
        #expect(try await provider.credentials().accessKeyID == "ASIA2")
        #expect(try await provider.credentials().accessKeyID == "ASIA2")
        // A failed refresh after invalidation throws: AWS said the old ones are expired.
        await provider.invalidate()
        source.fail(true)
        await #expect(throws: AWSError.self) { try await provider.credentials() }
    }

    @Test func concurrentCallersShareOneFetch() async throws {
        let clock = ManualClock(iso: Self.start)
        let source = ScriptedSource(clock: clock, delay: .milliseconds(100))
        let provider = RefreshingCredentialProvider(source: source, now: clock.now, logger: quietLogger())
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask { try await provider.credentials().accessKeyID }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys == ["ASIA1"])
        #expect(source.fetches == 1)
        // And again at refresh time.
        clock.advance(by: 3500)
        let refreshed = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask { try await provider.credentials().accessKeyID }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(refreshed == ["ASIA2"])
        #expect(source.fetches == 2)
    }

    @Test func credentialsAlreadyInTheWindowAreNotRefetchedOnEveryCall() async throws {
        let clock = ManualClock(iso: Self.start)
        let source = ScriptedSource(clock: clock, lifetime: 120)
        let provider = RefreshingCredentialProvider(source: source, now: clock.now, logger: quietLogger())
        for _ in 0..<5 { _ = try await provider.credentials() }
        #expect(source.fetches == 1)
    }

    @Test func backoffDoublesUpToTheMaximum() {
        let configuration = CredentialRefreshConfiguration(initialRetryBackoff: .seconds(5), maxRetryBackoff: .seconds(60))
        #expect(
            (1...6).map { configuration.retryBackoff(afterFailures: $0) } == [
                .seconds(5), .seconds(10), .seconds(20), .seconds(40), .seconds(60), .seconds(60),
            ])
        #expect(configuration.retryBackoff(afterFailures: 10_000) == .seconds(60))
    }
}
