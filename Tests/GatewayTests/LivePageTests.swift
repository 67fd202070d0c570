import Bus
import Foundation
import Logging
import Payloads
import ServiceLifecycle
import TestSupport
import Testing

@testable import Gateway

/// The live page at `GET /`: its headers and markup over HTTP, and what it shows in a real
/// headless Chromium driven over the DevTools protocol by `Scripts/live_page_browser.py`.
@Suite(.serialized, .tags(.integration))
struct LivePageTests {
    // MARK: The document and its headers

    @Test func templateHasOnlyTheNonceAndAuthSlots() {
        let slots = LivePage.template.pieces.compactMap { piece -> String? in
            if case .slot(let name) = piece { return name }
            return nil
        }
        #expect(Set(slots) == ["nonce", "auth"])
        #expect(slots.filter { $0 == "nonce" }.count == 2)
        let html = LivePage.template.render(["nonce": "abc", "auth": "required"])
        #expect(html.contains("<script nonce=\"abc\">"))
        #expect(html.contains("<style nonce=\"abc\">"))
        #expect(html.contains("data-auth=\"required\""))
        #expect(!html.contains("{{"))
    }

    @Test func policyNamesThePlainHostOnly() {
        let policy = LivePage.contentSecurityPolicy(nonce: "n1", authority: "gateway.example.com:8080")
        #expect(policy.contains("default-src 'none'"))
        #expect(policy.contains("script-src 'nonce-n1'"))
        #expect(policy.contains("connect-src 'self' ws://gateway.example.com:8080 wss://gateway.example.com:8080"))
        #expect(LivePage.isPlainAuthority("[::1]:8080"))
        for hostile in ["evil.com; script-src *", "a b", "", "host/path", "x'y"] {
            #expect(!LivePage.isPlainAuthority(hostile))
            #expect(LivePage.contentSecurityPolicy(nonce: "n", authority: hostile).contains("connect-src 'self';"))
        }
        #expect(LivePage.makeNonce().count == 32)
        #expect(LivePage.makeNonce() != LivePage.makeNonce())
    }

    @Test func pageIsServedSelfContainedWithAStrictPolicy() async throws {
        try await withGateway { gateway in
            let first = try await fetch("http://127.0.0.1:\(gateway.port)/")
            #expect(first.status == 200)
            #expect(first.headers["content-type"] == "text/html; charset=utf-8")
            #expect(first.headers["cache-control"] == "no-cache")
            #expect(first.headers["x-content-type-options"] == "nosniff")
            let policy = try #require(first.headers["content-security-policy"])
            let nonce = try #require(policy.firstMatch(of: /script-src 'nonce-([0-9a-f]{32})'/)?.1)
            #expect(first.body.contains("<script nonce=\"\(nonce)\">"))
            #expect(policy.contains("connect-src 'self' ws://127.0.0.1:\(gateway.port) wss://127.0.0.1:\(gateway.port)"))
            #expect(first.body.contains("data-auth=\"anonymous\""))
            // Nothing is loaded from elsewhere: no external script, style, font or image.
            #expect(first.body.firstMatch(of: /(src|href)\s*=\s*["']?(https?:)?\/\//) == nil)
            #expect(first.body.firstMatch(of: /@import|url\(/) == nil)
            let second = try await fetch("http://127.0.0.1:\(gateway.port)/")
            #expect(second.headers["content-security-policy"] != policy)
        }
        let required = GatewayConfiguration(auth: .init(mode: .required(.hs256(secret: Array(testSecret.utf8)))))
        try await withGateway(required) { gateway in
            let page = try await fetch("http://127.0.0.1:\(gateway.port)/")
            #expect(page.status == 200)
            #expect(page.body.contains("data-auth=\"required\""))
        }
    }

    @Test func operatorsCanTurnThePageOff() async throws {
        let off = try GatewayConfiguration.fromEnvironment(
            ["GATEWAY_LIVE_PAGE": "false"], allowAnonymous: true, readFile: { _ in "" })
        #expect(!off.isLivePageEnabled)
        #expect(try GatewayConfiguration.fromEnvironment([:], allowAnonymous: true, readFile: { _ in "" }).isLivePageEnabled)
        #expect(throws: GatewayError.self) {
            try GatewayConfiguration.fromEnvironment(["GATEWAY_LIVE_PAGE": "maybe"], allowAnonymous: true, readFile: { _ in "" })
        }
        try await withGateway(off) { gateway in
            let page = try await gateway.get("/")
            let health = try await gateway.get("/health")
            #expect(page.status == 404)
            #expect(health.status == 200)
        }
    }

    @Test func samplesAreValidAgainstTheSchemas() async throws {
        let samples = LivePageSamples(now: Date())
        var documents: [(schema: String, json: [UInt8])] = []
        for (stream, json) in try samples.encoded() {
            documents.append((stream.rawValue, json))
            let envelope = EncodedEnvelope(
                stream: stream, type: stream.dataType, epoch: 1, timestamp: ISO8601.string(from: Date()),
                account: "123456789012", region: "eu-west-1", encodedData: json)
            documents.append(("envelope", envelope.withID("1795737600000-0")))
        }
        for state in [samples.healthUnavailable, samples.healthDegraded, samples.healthLive] {
            documents.append(("stream-state", Array(try JSONEncoder().encode(state))))
            documents.append(("envelope", try EncodedEnvelope.streamState(state, of: .health).withID("1795737600000-1")))
        }
        #expect(try await JSONSchemaValidator.violations(documents) == [])
    }

    // MARK: In headless Chromium

    @Test(
        .enabled(if: Chromium.path != nil, Chromium.missing),
        .timeLimit(.minutes(3)))
    func everyStreamRendersLiveAndUpdates() async throws {
        try await withGateway { gateway in
            try await gateway.publishSamples(LivePageSamples(now: Date()))
            let screenshot = TestRepository.artifacts.appendingPathComponent("live-page.png")
            try? FileManager.default.removeItem(at: screenshot)
            let marker = "livepage-update-\(UUID().uuidString.prefix(8))"
            let browser = try Chromium.drive(
                url: "http://127.0.0.1:\(gateway.port)/", "expect:live", "pause:publish", "text:\(marker)",
                "expect:live", "screenshot:\(screenshot.path)")
            _ = try await browser.waitFor("pause", timeout: .seconds(90)) { $0["event"] as? String == "paused" }
            // One more envelope, delivered live: the page shows it without a reload.
            let update = LogsData(events: [
                LogEvent(
                    id: "1", logGroup: "/aws/lambda/orders-api", logStream: "live", timestamp: ISO8601.string(from: Date()),
                    ingestionTime: nil, message: "INFO \(marker)")
            ])
            try await gateway.publish(update, to: .logs)
            browser.release()
            let done = try await Chromium.result(of: browser)
            let summary = try #require(done["summary"] as? [String: Any])
            let panels = try #require(summary["panels"] as? [String: [String: Any]])
            // The details behind the driver's checks, from this test's own data.
            #expect((panels["aws-metrics"]?["charts"] as? Int) == 3)
            #expect((panels["aws-metrics"]?["chartPoints"] as? [Int]) == [12, 12, 12])
            let activity = panels["aws-activity"]?["rowClasses"] as? [String] ?? []
            #expect(activity == ["sev-critical", "sev-high", "sev-medium", "sev-low"])
            let findings = panels["aws-security"]?["rowClasses"] as? [String] ?? []
            #expect(findings == ["sev-low", "sev-medium", "sev-high", "sev-critical"])
            #expect((panels["aws-health"]?["rowClasses"] as? [String]) == ["sev-high", "sev-low"])
            let costs = try #require(summary["costs"] as? [String: String])
            #expect(costs["total"]?.contains("1,234.56") == true)
            #expect(costs["forecast"]?.contains("1,450.00") == true)
            let logs = try #require(panels["aws-logs"]?["text"] as? String)
            #expect(logs.contains(marker))
            #expect(logs.contains("<img src=x onerror=alert(1)><script>alert(2)</script>"))
            #expect((panels["aws-logs"]?["images"] as? Int) == 0)
            #expect(FileManager.default.fileExists(atPath: screenshot.path))
        }
    }

    @Test(
        .enabled(if: Chromium.path != nil, Chromium.missing),
        .timeLimit(.minutes(3)))
    func oldSnapshotsShowAsStaleAndSilentStreamsAsWaiting() async throws {
        try await withGateway { gateway in
            // Metrics of 5-minute periods produced an hour ago, costs (every 6 h) 14 hours ago.
            let samples = try LivePageSamples(now: Date()).encoded()
            for (stream, json) in samples where stream == .metrics || stream == .costs {
                let age: TimeInterval = stream == .metrics ? 3_600 : 14 * 3_600
                try await gateway.publish(encoded: json, to: stream, producedAt: Date().addingTimeInterval(-age))
            }
            for (stream, json) in samples where stream == .activity { try await gateway.publish(encoded: json, to: stream) }
            let browser = try Chromium.drive(
                url: "http://127.0.0.1:\(gateway.port)/", "state:aws-metrics=stale", "state:aws-costs=stale",
                "state:aws-activity=live", "state:aws-logs=waiting", "state:aws-security=waiting", "state:aws-health=waiting")
            _ = try await Chromium.result(of: browser)
        }
    }

    /// Issue 17: the account and region selectors offer what the envelopes carried; choosing one
    /// resubscribes with that filter and the page shows only that account's data.
    @Test(
        .enabled(if: Chromium.path != nil, Chromium.missing),
        .timeLimit(.minutes(3)))
    func theAccountAndRegionSelectorsFilterWhatThePageShows() async throws {
        try await withGateway { gateway in
            func logs(_ text: String) -> LogsData {
                LogsData(events: [
                    LogEvent(
                        id: text, logGroup: "/aws/lambda/orders-api", logStream: "s", timestamp: ISO8601.string(from: Date()),
                        ingestionTime: nil, message: "INFO \(text)")
                ])
            }
            try await gateway.publish(logs("line-of-account-one"), to: .logs, account: "111111111111", region: "eu-west-1")
            try await gateway.publish(logs("line-of-account-two"), to: .logs, account: "222222222222", region: "us-east-1")
            let browser = try Chromium.drive(
                url: "http://127.0.0.1:\(gateway.port)/", "text:line-of-account-one", "text:line-of-account-two",
                "options:account-select=111111111111,222222222222", "options:region-select=eu-west-1,us-east-1",
                "choose:account-select=222222222222", "no-text:line-of-account-one", "text:line-of-account-two",
                "pause:live", "text:live-line-two", "no-text:live-line-one", "choose:account-select=",
                // All accounts again: the snapshot, the latest of each account.
                "text:live-line-one", "text:live-line-two")
            _ = try await browser.waitFor("pause", timeout: .seconds(90)) { $0["label"] as? String == "live" }
            // Live, the filter holds: account one's new line does not come, account two's does.
            try await gateway.publish(logs("live-line-one"), to: .logs, account: "111111111111", region: "eu-west-1")
            try await gateway.publish(logs("live-line-two"), to: .logs, account: "222222222222", region: "us-east-1")
            browser.release()
            _ = try await Chromium.result(of: browser)
        }
    }

    /// A stream whose history ends with a `stream-state` envelope: the page opened then shows its
    /// last data (the snapshot carries it) with a badge saying why the stream is not live, and
    /// follows the state's changes live.
    @Test(
        .enabled(if: Chromium.path != nil, Chromium.missing),
        .timeLimit(.minutes(3)))
    func streamStatesShowAsBadgesWithTheAWSErrorBesideTheLastData() async throws {
        try await withGateway { gateway in
            let samples = LivePageSamples(now: Date())
            try await gateway.publishSamples(samples)
            try await gateway.publish(state: samples.healthUnavailable, to: .health)
            let screenshot = TestRepository.artifacts.appendingPathComponent("live-page-stream-state.png")
            try? FileManager.default.removeItem(at: screenshot)
            let browser = try Chromium.drive(
                url: "http://127.0.0.1:\(gateway.port)/", "state:aws-health=unavailable", "source:aws-health=unavailable",
                "text:unavailable: SubscriptionRequiredException — AWS Health needs a Business, Enterprise On-Ramp or Enterprise support plan (retry ",
                "state:aws-metrics=live", "source:aws-metrics=live", "screenshot:\(screenshot.path)", "pause:degraded",
                "state:aws-health=degraded", "source:aws-health=degraded", "text:degraded: ThrottlingException — Rate exceeded",
                "pause:live", "state:aws-health=live", "source:aws-health=live", "no-text:SubscriptionRequiredException")
            _ = try await browser.waitFor("pause", timeout: .seconds(90)) { $0["label"] as? String == "degraded" }
            try await gateway.publish(state: samples.healthDegraded, to: .health)
            browser.release()
            _ = try await browser.waitFor("pause", timeout: .seconds(60)) { $0["label"] as? String == "live" }
            try await gateway.publish(state: samples.healthLive, to: .health)
            browser.release()
            let done = try await Chromium.result(of: browser)
            let summary = try #require(done["summary"] as? [String: Any])
            let panels = try #require(summary["panels"] as? [String: [String: Any]])
            // The health events came with the snapshot, before the unavailable state, and no data
            // was published after: the states never replaced or hid them.
            #expect((panels["aws-health"]?["rowClasses"] as? [String]) == ["sev-high", "sev-low"])
            #expect(FileManager.default.fileExists(atPath: screenshot.path))
        }
    }

    @Test(
        .enabled(if: Chromium.path != nil, Chromium.missing),
        .timeLimit(.minutes(3)))
    func authRequiredShowsTheBannerAndATokenConnects() async throws {
        let configuration = GatewayConfiguration(auth: .init(mode: .required(.hs256(secret: Array(testSecret.utf8)))))
        try await withGateway(configuration) { gateway in
            try await gateway.publishSamples(LivePageSamples(now: Date()))
            let screenshot = TestRepository.artifacts.appendingPathComponent("live-page-auth.png")
            try? FileManager.default.removeItem(at: screenshot)
            let anonymous = try Chromium.drive(
                url: "http://127.0.0.1:\(gateway.port)/", "expect:auth", "screenshot:\(screenshot.path)")
            let refused = try await Chromium.result(of: anonymous)
            let banner = try #require((refused["summary"] as? [String: Any])?["banner"] as? [String: Any])
            #expect((banner["text"] as? String)?.contains("Auth required") == true)
            #expect(FileManager.default.fileExists(atPath: screenshot.path))

            // A token the gateway refuses: the same banner, saying so.
            let wrong = try await hs256Token(streams: ["*"], secret: testSecret + "-other")
            let invalid = try Chromium.drive(url: "http://127.0.0.1:\(gateway.port)/?token=\(wrong)", "expect:auth")
            let invalidResult = try await Chromium.result(of: invalid)
            let invalidBanner = (invalidResult["summary"] as? [String: Any])?["banner"] as? [String: Any]
            #expect((invalidBanner?["text"] as? String)?.contains("refused this token") == true)

            // A valid token in ?token= connects; the page takes it out of the address bar.
            let token = try await hs256Token(streams: ["*"])
            let valid = try Chromium.drive(url: "http://127.0.0.1:\(gateway.port)/?token=\(token)", "expect:live")
            let live = try await Chromium.result(of: valid)
            #expect((live["summary"] as? [String: Any])?["url"] as? String == "http://127.0.0.1:\(gateway.port)/")
            #expect(try await gateway.metric("gateway_auth_failures_total") >= 1)

            // A token for two streams: the other four say so; one about to expire: the banner again.
            let partial = try await hs256Token(streams: ["aws-metrics", "aws-costs"])
            let limited = try Chromium.drive(
                url: "http://127.0.0.1:\(gateway.port)/?token=\(partial)", "state:aws-metrics=live", "state:aws-costs=live",
                "state:aws-logs=error", "state:aws-activity=error", "state:aws-security=error", "state:aws-health=error",
                "text:Not allowed by this token")
            _ = try await Chromium.result(of: limited)
            let expiring = try await hs256Token(streams: ["*"], expiresIn: 3)
            let expired = try Chromium.drive(
                url: "http://127.0.0.1:\(gateway.port)/?token=\(expiring)", "state:aws-logs=live", "expect:auth",
                "text:token expired")
            _ = try await Chromium.result(of: expired)
        }
    }

    @Test(
        .enabled(if: Chromium.path != nil, Chromium.missing),
        .timeLimit(.minutes(3)))
    func resyncRequiredStartsTheStreamAgainFromTheSnapshot() async throws {
        // History keeps two messages per stream: a page that missed three must start again.
        let bus = InProcessBus(configuration: .init(historyLength: 2))
        _ = try await bus.acquireLease(token: RunningGateway.token, ttl: .seconds(3600))
        let (browser, port) = try await serveGateway(on: bus, port: 0) { port in
            let gateway = RunningGateway(port: port, bus: bus, metrics: GatewayMetrics())
            try await gateway.publishSamples(LivePageSamples(now: Date()))
            let browser = try Chromium.drive(
                url: "http://127.0.0.1:\(port)/", "expect:live", "text:Payment provider timed out", "pause:down", "pause:up",
                "text:missed-three", "no-text:Payment provider timed out", "no-text:missed-one", "text:missed too much",
                "expect:live")
            _ = try await browser.waitFor("pause before shutdown", timeout: .seconds(90)) { $0["label"] as? String == "down" }
            return (browser, port)
        }
        let gateway = RunningGateway(port: port, bus: bus, metrics: GatewayMetrics())
        for text in ["missed-one", "missed-two", "missed-three"] {
            try await gateway.publish(
                LogsData(events: [
                    LogEvent(
                        id: text, logGroup: "/aws/lambda/orders-api", logStream: "live",
                        timestamp: ISO8601.string(from: Date()), ingestionTime: nil, message: "INFO \(text)")
                ]), to: .logs)
        }
        browser.release()
        _ = try await browser.waitFor("pause before restart", timeout: .seconds(60)) { $0["label"] as? String == "up" }
        try await serveGateway(on: bus, port: port) { _ in
            browser.release()
            _ = try await Chromium.result(of: browser)
        }
    }

    @Test(
        .enabled(if: Chromium.path != nil, Chromium.missing),
        .timeLimit(.minutes(3)))
    func reconnectsAfterTheGatewayGoesAwayAndResumesFromTheLastID() async throws {
        let bus = InProcessBus()
        _ = try await bus.acquireLease(token: RunningGateway.token, ttl: .seconds(3600))
        let screenshot = TestRepository.artifacts.appendingPathComponent("live-page-disconnected.png")
        let (browser, port) = try await serveGateway(on: bus, port: 0) { port in
            let gateway = RunningGateway(port: port, bus: bus, metrics: GatewayMetrics())
            try await gateway.publishSamples(LivePageSamples(now: Date()))
            let browser = try Chromium.drive(
                url: "http://127.0.0.1:\(port)/", "expect:live", "pause:down", "expect:disconnected",
                "screenshot:\(screenshot.path)", "pause:up", "text:resumed-one", "text:resumed-two", "expect:live")
            _ = try await browser.waitFor("pause before shutdown", timeout: .seconds(90)) { $0["label"] as? String == "down" }
            return (browser, port)
        }
        // The gateway closed the page's socket with 1001 going away. Two log envelopes while it is
        // away: a page that resumes with `since` gets both; a fresh snapshot would carry only the second.
        let gateway = RunningGateway(port: port, bus: bus, metrics: GatewayMetrics())
        for text in ["resumed-one", "resumed-two"] {
            try await gateway.publish(
                LogsData(events: [
                    LogEvent(
                        id: text, logGroup: "/aws/lambda/orders-api", logStream: "live",
                        timestamp: ISO8601.string(from: Date()), ingestionTime: nil, message: "INFO \(text)")
                ]), to: .logs)
        }
        browser.release()
        _ = try await browser.waitFor("pause before restart", timeout: .seconds(60)) { $0["label"] as? String == "up" }
        try await serveGateway(on: bus, port: port) { _ in
            browser.release()
            _ = try await Chromium.result(of: browser)
        }
    }
}

// MARK: Helpers

extension RunningGateway {
    /// Publishes one envelope of `data` on `stream`, produced now (in `account` and `region`).
    func publish(
        _ data: some Encodable, to stream: StreamName, account: String = "123456789012", region: String = "eu-west-1"
    ) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try await publish(encoded: Array(try encoder.encode(data)), to: stream, account: account, region: region)
    }

    func publish(
        encoded json: [UInt8], to stream: StreamName, producedAt: Date = Date(), account: String = "123456789012",
        region: String = "eu-west-1"
    ) async throws {
        let envelope = EncodedEnvelope(
            stream: stream, type: stream.dataType, epoch: 1, timestamp: ISO8601.string(from: producedAt), account: account,
            region: region, encodedData: json)
        guard case .published = try await bus.publish(envelope, to: stream, cursor: nil, token: Self.token) else {
            throw HarnessError(message: "publish fenced")
        }
    }

    /// One envelope per stream.
    func publishSamples(_ samples: LivePageSamples) async throws {
        for (stream, json) in try samples.encoded() { try await publish(encoded: json, to: stream) }
    }
}

/// Runs a gateway over `bus` on `port` (0: a free one) while `body` runs, then shuts it down
/// gracefully: sockets are closed with 1001 going away, as on SIGTERM (at most 5 s, then cancelled).
private func serveGateway<T: Sendable>(on bus: InProcessBus, port: Int, _ body: (Int) async throws -> T) async throws -> T {
    let subscriber = bus.makeSubscriber()
    defer { subscriber.close() }
    var logger = Logger(label: "live-page-test")
    logger.logLevel = .warning
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let gateway = Gateway(
        bus: subscriber, configuration: GatewayConfiguration(host: "127.0.0.1", port: port, auth: .init(mode: .anonymous)),
        logger: logger, onListening: { portContinuation.yield($0) })
    let group = ServiceGroup(services: [gateway], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
    return try await withThrowingTaskGroup(of: Bool.self) { tasks in
        tasks.addTask {
            try await group.run()
            return true
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw HarnessError(message: "gateway did not start") }
        do {
            let result = try await body(bound)
            let clock = ContinuousClock()
            let start = clock.now
            await group.triggerGracefulShutdown()
            // The sockets are closed with 1001 at once, and the connections the browser opened but
            // never used when the server's own shutdown begins (they used to hold it for about a
            // minute): the gateway stops by itself well within 5 s.
            tasks.addTask {
                try? await Task.sleep(for: .seconds(5))
                return false
            }
            let stoppedByItself = try await tasks.next() ?? false
            print("live page: the gateway's graceful shutdown took \(clock.now - start) (stopped by itself: \(stoppedByItself))")
            #expect(stoppedByItself, "the gateway's graceful shutdown took over 5 s with a browser connected")
            tasks.cancelAll()
            return result
        } catch {
            tasks.cancelAll()
            throw error
        }
    }
}

/// GET with curl: status, lower-cased headers and body.
private func fetch(_ url: String) async throws -> (status: Int, headers: [String: String], body: String) {
    let output = try await runProcess("/usr/bin/curl", ["-s", "-i", "--max-time", "5", url])
    guard let split = output.range(of: "\r\n\r\n") else { throw HarnessError(message: "no HTTP response from \(url)") }
    let head = output[..<split.lowerBound].split(separator: "\r\n")
    let status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
    var headers: [String: String] = [:]
    for line in head.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return (status, headers, String(output[split.upperBound...]))
}
