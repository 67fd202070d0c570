import Foundation

/// Paths in this checkout, found once from this file's place in `Tests/TestSupport/`, so the tests
/// find their fixtures and the built executable whether they run from the package root or not.
public enum TestRepository {
    /// The checkout's root directory, the one holding `Package.swift`.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Tests/TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `relativePath` under the checkout's root (`"Tests/Captures"`, `"iam"`).
    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// `Tests/Captures`, the shipped AWS captures.
    public static var capturesFolder: String { url("Tests/Captures").path }

    /// `.build/test-artifacts/`, where tests leave screenshots and logs to look at after a run
    /// (git-ignored with `.build`); created on first use.
    public static let artifacts: URL = {
        let directory = url(".build/test-artifacts")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }()

    /// `.build/debug/aws-realtime`, the executable `swift build` made (it may not exist yet).
    public static var debugExecutable: String { url(".build/debug/aws-realtime").path }
}
