import Foundation

/// Validates JSON documents against the repository's JSON Schemas with the reference Python
/// implementation (PyPI `jsonschema`, installed by `.ci/install-dependencies`), all documents
/// in one process.
public enum JSONSchemaValidator {
    /// `Sources/Payloads/Schemas`, found from this file's path.
    public static var schemaDirectory: URL {
        TestRepository.url("Sources/Payloads/Schemas")
    }

    /// Returns one line per violation (`document N (schema): message`); empty when all are valid.
    ///
    /// Async: Python runs for a second or so, and a thread of the concurrency pool blocked on it (two on
    /// a two-core machine) would stall every other test running in parallel.
    public static func violations(_ documents: [(schema: String, json: [UInt8])]) async throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var manifest: [[String: String]] = []
        for (index, document) in documents.enumerated() {
            let path = directory.appendingPathComponent("\(index).json")
            try Data(document.json).write(to: path)
            manifest.append([
                "schema": schemaDirectory.appendingPathComponent("\(document.schema).schema.json").path, "document": path.path,
            ])
        }
        let manifestPath = directory.appendingPathComponent("manifest.json")
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestPath)
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            for index, item in enumerate(json.load(open(sys.argv[1]))):
                schema = json.load(open(item["schema"]))
                Draft202012Validator.check_schema(schema)
                document = json.load(open(item["document"]))
                for error in Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(document):
                    print(f"document {index} ({item['schema'].rsplit('/', 1)[-1]}): {error.json_path}: {error.message}")
            """
        let (status, data) = try await runOutsideTheConcurrencyPool(["python3", "-c", script, manifestPath.path])
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard status == 0 else {
            throw ValidatorError(message: "jsonschema failed (exit \(status)): \(lines.joined(separator: " | "))")
        }
        return lines
    }

    /// Runs `/usr/bin/env arguments` to its end on a Dispatch thread (not one of the concurrency pool's):
    /// its exit status and its standard output and error together.
    private static func runOutsideTheConcurrencyPool(_ arguments: [String]) async throws -> (Int32, Data) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = arguments
                let output = Pipe()
                process.standardOutput = output
                process.standardError = output
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, data))
            }
        }
    }

    public struct ValidatorError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
