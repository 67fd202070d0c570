import Foundation
import NIOCore
import Redis
import TestSupport
import Testing

@Suite(.tags(.integration)) struct RedisSecurityTests {
    static let password = "s3cr3t-Pa55"

    @Test func authenticatesAnACLUserAndNeverRevealsThePassword() async throws {
        let acl = [
            "user default off",
            "user worker on >\(Self.password) ~aws-realtime:* &* +@all",
        ]
        try await RedisServerProcess.withServer(.init(aclLines: acl)) { server in
            var configuration = RedisConfiguration.test(port: server.port)
            configuration.username = "worker"
            configuration.password = Self.password
            configuration.clientName = "acl-test"
            for protocolVersion in [RedisConfiguration.ProtocolVersion.automatic, .resp2] {
                configuration.protocolVersion = protocolVersion
                let connection = try await RedisConnection.connect(configuration: configuration, logger: testLogger)
                #expect(try await connection.send(["ACL", "WHOAMI"]).string == "worker")
                #expect(try await connection.set("aws-realtime:x", to: "1"))
                await #expect(throws: RedisClientError.self) { _ = try await connection.set("elsewhere", to: "1") }
                await connection.close()
            }

            var wrong = configuration
            wrong.password = "not-the-\(Self.password)"
            for protocolVersion in [RedisConfiguration.ProtocolVersion.automatic, .resp2] {
                wrong.protocolVersion = protocolVersion
                do {
                    _ = try await RedisConnection.connect(configuration: wrong, logger: testLogger)
                    Issue.record("connected with a wrong password")
                } catch let error as RedisClientError {
                    #expect(error.code == .connectionFailed)
                    #expect(error.serverErrorPrefix == "WRONGPASS")
                    let text = "\(error) \(error.message) \(String(reflecting: error))"
                    #expect(!text.contains(Self.password))
                }
            }
            #expect(!"\(wrong)".contains(Self.password))
        }
    }

    @Test func tlsVerifiesTheServerAndRefusesAnUnknownCA() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redis-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try await RedisTestCertificates.generate(in: directory)
        try await RedisServerProcess.withServer(.init(tls: certificates)) { server in
            for host in ["127.0.0.1", "localhost"] {
                let defaults = RedisConfiguration.test(port: 0).with(tls: .enabled(caFile: certificates.caCertificate))
                let configuration = try RedisConfiguration(url: "rediss://\(host):\(server.port)", defaults: defaults)
                #expect(configuration.tls.caFile == certificates.caCertificate)
                try await withClient(configuration) { client async throws in
                    #expect(try await client.ping() == "PONG")
                    #expect(try await client.set("tls", to: "yes"))
                }
            }

            let wrongCA = RedisConfiguration.test(port: server.port).with(tls: .enabled(caFile: certificates.otherCACertificate))
            do {
                _ = try await RedisConnection.connect(configuration: wrongCA, logger: testLogger)
                Issue.record("connected although the CA did not sign the server certificate")
            } catch let error as RedisClientError {
                #expect(error.code == .connectionFailed)
                #expect(error.underlying != nil)
            }
        }
    }
}

extension RedisConfiguration {
    func with(tls: TLS) -> RedisConfiguration {
        var copy = self
        copy.tls = tls
        return copy
    }
}
