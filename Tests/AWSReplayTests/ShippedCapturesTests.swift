import AWSCapture
import AWSCore
import Foundation
import Testing
import TextFormats

/// Every capture shipped under Tests/Captures parses, has a well-formed body and holds no credential.
@Suite struct ShippedCapturesTests {
    static func allCaptureFiles() -> [String] {
        let root = Fixtures.capturesFolder
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String, files.count < 5000 {
            if relative.hasSuffix(".json"), !relative.hasPrefix("tools/") { files.append(relative) }
        }
        return files.sorted()
    }

    @Test func thereAreCapturesForEveryOperationTheProjectCalls() {
        let files = Self.allCaptureFiles()
        for operation in [
            "monitoring-ListMetrics", "monitoring-GetMetricData", "logs-FilterLogEvents", "cloudtrail-LookupEvents",
            "ce-GetCostAndUsage",
            "ce-GetCostForecast", "securityhub-GetFindings", "health-DescribeEvents", "sts-AssumeRole.json",
            "sts-AssumeRoleWithWebIdentity",
        ] {
            #expect(files.contains { $0.contains(operation) }, "no capture of \(operation)")
        }
    }

    @Test(arguments: allCaptureFiles())
    func captureParsesAndItsBodyIsWellFormed(_ relative: String) throws {
        let capture = try CaptureFolder.loadFile(Fixtures.capturesFolder + "/" + relative)
        let response = try #require(capture.response)
        #expect(capture.note != nil, "say where the capture came from in \"note\"")
        #expect(response.header("x-amzn-RequestId") != nil)
        #expect(response.header("Date") != nil)
        let contentType = response.header("Content-Type") ?? ""
        if contentType.contains("xml") {
            #expect(XMLCheck.isWellFormed(response.body), "\(relative): response XML is not well-formed")
        } else {
            #expect(contentType.contains("json"), "\(relative): unexpected Content-Type \(contentType)")
            #expect(throws: Never.self) { try JSONDocument.parse(response.body) }
        }
        if let declared = response.header("Content-Length") {
            #expect(Int(declared) == response.body.count, "\(relative): Content-Length disagrees with the body")
        }
        for target in ["X-Amz-Target"] where capture.request.header(target) != nil {
            #expect(throws: Never.self) { try JSONDocument.parse(capture.request.body) }
        }
    }

    @Test(arguments: allCaptureFiles())
    func captureHoldsNoCredential(_ relative: String) throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.capturesFolder + "/" + relative)))
        #expect(CaptureRedactor.redactAccessKeyIDs(bytes) == bytes, "\(relative): an access key id is not redacted")
        let capture = try CaptureFile.decode(bytes, name: relative)
        #expect(CaptureRedactor().redact(capture) == capture, "\(relative): redacting again changes it")
        let authorization = capture.request.header("Authorization") ?? "Signature=REDACTED"
        #expect(authorization.contains("Signature=REDACTED"))
    }

    @Test func xmlCheckRejectsBrokenDocuments() {
        #expect(XMLCheck.isWellFormed(Array(#"<?xml version="1.0"?><a x="1"><b>t &amp; u</b><c/></a>"#.utf8)))
        #expect(!XMLCheck.isWellFormed(Array("<a><b></a></b>".utf8)))
        #expect(!XMLCheck.isWellFormed(Array("<a>".utf8)))
        #expect(!XMLCheck.isWellFormed(Array("<a></a><b></b>".utf8)))
    }
}

/// A quick well-formedness check: tags balance, one root, no stray `<`.
enum XMLCheck {
    static func isWellFormed(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        var stack: [Substring] = []
        var roots = 0
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            if !stack.isEmpty || rest[..<open].allSatisfy(\.isWhitespace) == false {
                if stack.isEmpty { return false }
            }
            guard let close = rest[open...].firstIndex(of: ">") else { return false }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("?") || tag.hasPrefix("!") { continue }
            if tag.contains("<") { return false }
            if tag.hasPrefix("/") {
                guard let top = stack.popLast(), top == tag.dropFirst() else { return false }
            } else {
                let name = tag.prefix { !$0.isWhitespace && $0 != "/" }
                guard !name.isEmpty else { return false }
                if stack.isEmpty { roots += 1 }
                if !tag.hasSuffix("/") { stack.append(name) }
            }
        }
        return stack.isEmpty && roots == 1 && rest.allSatisfy(\.isWhitespace)
    }
}
