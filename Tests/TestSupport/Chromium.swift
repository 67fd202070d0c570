import Foundation
import Testing

/// Headless Chromium through `Tests/GatewayTests/Scripts/live_page_browser.py`: the live page
/// tests and the standalone process test drive the page in a real browser.
public enum Chromium {
    public static let missing: Comment =
        "chromium is not installed: the live page browser tests are skipped (apt-get install chromium; CI installs it)"

    /// Debian's `chromium` (or another Chromium-based browser) on PATH.
    public static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for directory in directories {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    /// Starts the driver on `url` with `steps`; every step waits at most 30 s.
    public static func drive(url: String, _ steps: String...) throws -> ScriptedClient {
        var arguments = ["--url", url, "--timeout", "30"]
        if let path { arguments += ["--chromium", path] }
        let failure = TestRepository.artifacts.appendingPathComponent("live-page-failure-\(UUID().uuidString.prefix(8)).png")
        arguments += ["--failure-screenshot", failure.path]
        return try ScriptedClient("live_page_browser", arguments + steps)
    }

    /// The driver's final line; fails the test with its failures when a step did not pass.
    public static func result(of browser: ScriptedClient) async throws -> [String: Any] {
        let done = try await browser.waitFor("done", timeout: .seconds(150)) { $0["event"] as? String == "done" }
        try await browser.waitForExit()
        let failures = done["failures"] as? [String] ?? ["no failures list"]
        #expect(done["ok"] as? Bool == true, "the browser saw: \(failures.joined(separator: "; "))")
        if done["ok"] as? Bool != true {
            throw HarnessError(message: "live page check failed: \(failures) \(done["chromium_log"] ?? "")")
        }
        return done
    }
}
