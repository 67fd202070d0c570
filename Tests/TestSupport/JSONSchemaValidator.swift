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
    public static func violations(_ documents: [(schema: String, json: [UInt8])]) throws -> [String] {
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, manifestPath.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard process.terminationStatus == 0 else {
            throw ValidatorError(
                message: "jsonschema failed (exit \(process.terminationStatus)): \(lines.joined(separator: " | "))")
        }
        return lines
    }

    public struct ValidatorError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
