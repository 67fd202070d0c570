import Foundation
import Testing

@testable import AWSCore

@Suite struct RetryTests {
    @Test(arguments: Array(AWSRetryPolicy.throttlingCodes))
    func everyThrottlingCodeIsRetryable(code: String) {
        #expect(AWSRetryPolicy.isRetryable(code: code, status: 400))
    }

    @Test func transientStatusesAndCodes() {
        for status in [500, 502, 503, 504, 429] { #expect(AWSRetryPolicy.isRetryable(code: nil, status: status)) }
        for code in ["RequestTimeout", "InternalError"] { #expect(AWSRetryPolicy.isRetryable(code: code, status: 400)) }
        #expect(!AWSRetryPolicy.isRetryable(code: "AccessDeniedException", status: 400))
        #expect(!AWSRetryPolicy.isRetryable(code: "ValidationException", status: 400))
    }

    @Test func backoffIsJitteredExponentialAndClamped() {
        let configuration = AWSRetryConfiguration()
        #expect(configuration.backoff(retry: 1, random: 0.5) == .milliseconds(500))
        #expect(configuration.backoff(retry: 2, random: 0.5) == .seconds(1))
        #expect(configuration.backoff(retry: 3, random: 1) == .seconds(4))
        #expect(configuration.backoff(retry: 10, random: 1) == .seconds(20))
        #expect(configuration.backoff(retry: 60, random: 0.5) == .seconds(10))
        #expect(configuration.backoff(retry: 1, random: 0) == .zero)
    }

    @Test func maxAttemptsFromTheEnvironment() throws {
        #expect(try AWSRetryConfiguration.fromEnvironment([:]).maxAttempts == 3)
        #expect(try AWSRetryConfiguration.fromEnvironment(["AWS_MAX_ATTEMPTS": "5"]).maxAttempts == 5)
        #expect {
            try AWSRetryConfiguration.fromEnvironment(["AWS_MAX_ATTEMPTS": "zero"])
        } throws: { ($0 as? AWSError)?.configurationKey == "AWS_MAX_ATTEMPTS" }
    }

    @Test func quotaDrainsAndRefills() {
        let quota = AWSRetryQuota(capacity: 12)
        #expect(quota.acquire(5))
        #expect(quota.acquire(5))
        #expect(!quota.acquire(5))
        quota.release(5)
        #expect(quota.available == 7)
        quota.release(100)
        #expect(quota.available == 12)
    }

    @Test func clockSkewIsLearnedPerHostAboveTheThreshold() {
        let tracker = ClockSkewTracker()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let tenMinutesAhead = "Fri, 15 Jan 2027 08:10:00 GMT"  // 1_800_000_000 is 2027-01-15T08:00:00Z
        #expect(tracker.showsSkew(serverDate: tenMinutesAhead, now: now))
        #expect(tracker.learn(serverDate: tenMinutesAhead, now: now, host: "a"))
        #expect(tracker.offset(for: "a") == 600)
        #expect(tracker.offset(for: "b") == 0)
        #expect(tracker.correctedDate(now, host: "a") == now.addingTimeInterval(600))
        #expect(!tracker.showsSkew(serverDate: "Fri, 15 Jan 2027 08:04:00 GMT", now: now))
        #expect(!tracker.learn(serverDate: "garbage", now: now, host: "a"))
    }
}

@Suite struct CredentialTests {
    @Test func environmentCredentials() async throws {
        let provider = EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_SESSION_TOKEN": "tok",
        ])
        let credentials = try await provider.credentials()
        #expect(credentials.accessKeyID == "AKIDEXAMPLE")
        #expect(credentials.sessionToken == "tok")
        #expect(!"\(credentials)".contains("wJalrXUtnFEMI"))
    }

    @Test func missingSecretNamesTheVariable() async {
        let provider = EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"])
        #expect(!provider.isAvailable)
        await #expect {
            try await provider.credentials()
        } throws: { ($0 as? AWSError)?.configurationKey == "AWS_SECRET_ACCESS_KEY" }
    }
}
