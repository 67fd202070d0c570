import Foundation

/// A test target's fixture folder, read from the target's resource bundle: give it the target's
/// `Bundle.module` (`let fixtures = FixtureFolder(bundle: .module)`).
public struct FixtureFolder: Sendable {
    /// The test target's resource bundle.
    public let bundle: Bundle
    /// The bundle's folder the files are in, `Fixtures` unless told.
    public let folder: String

    public init(bundle: Bundle, folder: String = "Fixtures") {
        self.bundle = bundle
        self.folder = folder
    }

    /// The bytes of `path` (relative to the folder); throws a `FixtureFolderError` naming it when missing.
    public func bytes(_ path: String) throws -> [UInt8] {
        guard let url = bundle.url(forResource: folder + "/" + path, withExtension: nil) else {
            throw FixtureFolderError(path: folder + "/" + path)
        }
        return Array(try Data(contentsOf: url))
    }

    /// The text of `path` (relative to the folder), decoded as UTF-8.
    public func text(_ path: String) throws -> String {
        String(decoding: try bytes(path), as: UTF8.self)
    }
}

/// A fixture a test asked for is not in its target's bundle.
public struct FixtureFolderError: Error, CustomStringConvertible {
    public let path: String

    public var description: String { "missing test fixture \(path)" }
}
