import Foundation

enum Fixture {
    static func bytes(_ path: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "Fixtures/" + path, withExtension: nil) else {
            throw FixtureError(path: path)
        }
        return Array(try Data(contentsOf: url))
    }

    static func text(_ path: String) throws -> String {
        String(decoding: try bytes(path), as: UTF8.self)
    }

    struct FixtureError: Error, CustomStringConvertible {
        let path: String
        var description: String { "missing test fixture \(path)" }
    }
}
