import Foundation
import TestSupport
import Testing

@testable import AWSCore

/// TLS against `openssl s_server` with a self-signed certificate made for the test. The OpenSSL
/// command line tool ships with the libssl-dev CI already installs; without it the suite is skipped.
@Suite("CurlTransport TLS", .enabled(if: OpenSSLTool.path != nil, "needs the openssl command line tool"), .tags(.integration))
struct CurlTransportTLSTests {
    @Test func untrustedCertificateFailsAndATrustedOneWorks() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aws-realtime-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try await OpenSSLTool.run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ])

        let port = try FreePort.next()
        let server = try OpenSSLTool.start([
            "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-www", "-quiet",
        ])
        defer { OpenSSLTool.stop(server) }
        let url = "https://127.0.0.1:\(port)/"

        // Trusted through caFile: a normal exchange (this also waits for s_server to listen).
        try await withCurlTransport(configuration: transportTestConfiguration(caFile: certificate), logger: transportTestLogger) {
            transport in
            var response: AWSHTTPResponse?
            for _ in 0..<50 where response == nil {
                do {
                    response = try await transport.send(AWSHTTPRequest(method: "GET", url: url))
                } catch let error as TransportError where error.code == .connectFailed {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(response?.status == 200)
        }

        // Same server, system trust store: verification fails and retrying would not help.
        try await withCurlTransport(configuration: transportTestConfiguration(), logger: transportTestLogger) { transport in
            let error = try await expectTransportError(transport, AWSHTTPRequest(method: "GET", url: url))
            #expect(error.code == .tls)
            #expect(error.curlCode == 60)  // CURLE_PEER_FAILED_VERIFICATION
            #expect(!error.isRetryable)
        }
    }
}

enum OpenSSLTool {
    static let path: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Failure: Error {
        var arguments: [String]
        var status: Int32
    }

    /// Runs openssl to completion without blocking a cooperative thread.
    static func run(_ arguments: [String]) async throws {
        let process = try makeProcess(arguments)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else { throw Failure(arguments: arguments, status: status) }
    }

    /// Starts openssl in the background; the caller terminates it.
    static func start(_ arguments: [String]) throws -> Process {
        let process = try makeProcess(arguments)
        try process.run()
        return process
    }

    /// Ends a process `start` returned. SIGKILL, because the child inherits the test runner's
    /// signal mask, in which SIGTERM is blocked.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private static func makeProcess(_ arguments: [String]) throws -> Process {
        guard let path else { throw Failure(arguments: arguments, status: -1) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return process
    }
}
