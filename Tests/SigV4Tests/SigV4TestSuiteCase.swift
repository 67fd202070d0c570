import Foundation
import SigV4

/// One case of the AWS SigV4 test suite (aws-c-auth `v4/` layout, or the classic botocore
/// layout under `_classic-botocore/`), loaded from `Fixtures/sigv4`.
struct SigV4TestSuiteCase: Sendable, CustomStringConvertible {
    struct Context: Decodable, Sendable {
        struct Credentials: Decodable, Sendable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }

        var credentials: Credentials
        var expiration_in_seconds: Int?
        var normalize: Bool?
        var region: String
        var service: String
        var sign_body: Bool?
        var timestamp: String
        var omit_session_token: Bool?
        /// Not in the suite's files (aws-c-auth runs it with double encoding); honoured if present.
        var double_uri_encode: Bool?
    }

    enum Layout: Sendable { case crt, classicBotocore }

    let name: String
    let layout: Layout
    let directory: URL

    var description: String { name }

    static let fixturesRoot: URL = {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("Fixtures missing from the test bundle")
        }
        return root.appendingPathComponent("sigv4")
    }()

    static let all: [SigV4TestSuiteCase] = {
        let fileManager = FileManager.default
        let root = fixturesRoot
        var cases: [SigV4TestSuiteCase] = []
        let names = ((try? fileManager.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
        for name in names where !name.hasPrefix("_") {
            let directory = root.appendingPathComponent(name)
            if fileManager.fileExists(atPath: directory.appendingPathComponent("context.json").path) {
                cases.append(SigV4TestSuiteCase(name: name, layout: .crt, directory: directory))
            }
        }
        let classic = root.appendingPathComponent("_classic-botocore")
        let classicNames = ((try? fileManager.contentsOfDirectory(atPath: classic.path)) ?? []).sorted()
        for name in classicNames {
            let directory = classic.appendingPathComponent(name)
            if fileManager.fileExists(atPath: directory.appendingPathComponent("\(name).req").path) {
                cases.append(SigV4TestSuiteCase(name: "classic/\(name)", layout: .classicBotocore, directory: directory))
            }
        }
        return cases
    }()

    static var crtCases: [SigV4TestSuiteCase] { all.filter { $0.layout == .crt } }

    private var baseName: String { directory.lastPathComponent }

    func file(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    func context() throws -> Context {
        switch layout {
        case .crt:
            let data = try Data(contentsOf: directory.appendingPathComponent("context.json"))
            return try JSONDecoder().decode(Context.self, from: data)
        case .classicBotocore:
            // Fixed inputs of the classic suite (its SOURCE.md).
            return Context(
                credentials: .init(
                    access_key_id: "AKIDEXAMPLE",
                    secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                    token: nil
                ),
                expiration_in_seconds: nil,
                normalize: true,
                region: "us-east-1",
                service: "service",
                sign_body: false,
                timestamp: "2015-08-30T12:36:00Z",
                omit_session_token: false
            )
        }
    }

    func rawRequest() throws -> String {
        switch layout {
        case .crt: try file("request.txt")
        case .classicBotocore: try file("\(baseName).req")
        }
    }

    func expected(_ stage: String) throws -> String {
        switch layout {
        case .crt: return try file(stage)
        case .classicBotocore:
            let ext = ["header-canonical-request.txt": "creq", "header-string-to-sign.txt": "sts"][stage] ?? stage
            return try file("\(baseName).\(ext)")
        }
    }
}

/// A request as written in `request.txt`: `METHOD SP target SP HTTP/1.1`, `Name:value` lines (a line
/// starting with whitespace continues the previous value: obs-fold), a blank line, the body.
struct ParsedTestRequest: Equatable {
    var method: String
    /// The path exactly as on the request line (may hold a raw space or raw UTF-8).
    var path: String
    /// Decoded query pairs, in order.
    var query: [SigV4QueryItem]
    var headers: [SigV4Header]
    var body: [UInt8]

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    init(_ text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { throw ParseError(description: "empty request") }
        let requestLine = lines.removeFirst()
        guard let firstSpace = requestLine.firstIndex(of: " "),
            let lastSpace = requestLine.lastIndex(of: " "),
            firstSpace < lastSpace
        else { throw ParseError(description: "bad request line: \(requestLine)") }
        method = String(requestLine[..<firstSpace])
        let target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])
        if let question = target.firstIndex(of: "?") {
            path = String(target[..<question])
            query = Self.parseQuery(String(target[target.index(after: question)...]))
        } else {
            path = target
            query = []
        }

        headers = []
        var index = 0
        while index < lines.count, !lines[index].isEmpty {
            let line = lines[index]
            if let first = line.first, first == " " || first == "\t" {
                guard !headers.isEmpty else { throw ParseError(description: "continuation before any header") }
                headers[headers.count - 1].value += " " + line
            } else {
                guard let colon = line.firstIndex(of: ":") else {
                    throw ParseError(description: "bad header line: \(line)")
                }
                headers.append(SigV4Header(String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
            index += 1
        }
        if index < lines.count {
            body = Array(lines[(index + 1)...].joined(separator: "\n").utf8)
        } else {
            body = []
        }
    }

    static func parseQuery(_ query: String) -> [SigV4QueryItem] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return SigV4QueryItem(
                    percentDecode(String(pair[..<equals])),
                    percentDecode(String(pair[pair.index(after: equals)...]))
                )
            }
            return SigV4QueryItem(percentDecode(String(pair)), "")
        }
    }

    static func percentDecode(_ string: String) -> String {
        string.removingPercentEncoding ?? string
    }
}
