import Foundation

/// A throwaway CA and a server certificate for 127.0.0.1 and localhost, made with the `openssl`
/// command at test time (valid for 2 days), plus an unrelated CA to show verification failing.
public struct RedisTestCertificates: Sendable {
    public var caCertificate: String
    public var serverCertificate: String
    public var serverKey: String
    /// A CA that did not sign the server certificate.
    public var otherCACertificate: String

    /// Generates the files into `directory`.
    public static func generate(in directory: URL) async throws -> RedisTestCertificates {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let extensions = path("server.ext")
        try
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.crt"), "-days", "2",
                "-subj", "/CN=aws-realtime test CA",
            ],
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("other-ca.key"), "-out", path("other-ca.crt"),
                "-days", "2", "-subj", "/CN=unrelated CA",
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", path("server.key"), "-out", path("server.csr"), "-subj",
                "/CN=localhost",
            ],
            [
                "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"), "-CAcreateserial",
                "-out", path("server.crt"), "-days", "2", "-extfile", extensions,
            ],
        ]
        for arguments in steps {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            await RedisServerProcess.waitForExit(process, timeout: .seconds(30))
            // The file each step writes tells whether it worked (exit statuses lag on Linux).
            guard let output = arguments.firstIndex(of: "-out").map({ arguments[$0 + 1] }),
                FileManager.default.fileExists(atPath: output)
            else {
                throw RedisServerProcess.ServerError(message: "openssl \(arguments.prefix(2).joined(separator: " ")) failed")
            }
        }
        return RedisTestCertificates(
            caCertificate: path("ca.crt"),
            serverCertificate: path("server.crt"),
            serverKey: path("server.key"),
            otherCACertificate: path("other-ca.crt")
        )
    }
}
