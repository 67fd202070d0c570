import AWSCore
import Bus
import Foundation
import Payloads
import Synchronization

@testable import Worker

/// A collector whose every poll fails as a target's calls do when its role cannot be assumed: a
/// credentials error around STS's `AccessDenied`.
struct DeniedRoleCollector: Collector {
    let stream: StreamName
    let role: String

    func poll(from cursor: [String: String]) async throws -> CollectedPoll {
        let sts = AWSError(
            kind: .service, service: "sts", operation: "AssumeRole", code: "AccessDenied",
            message:
                "User: arn:aws:iam::123456789012:user/worker is not authorized to perform: sts:AssumeRole on resource: \(role)",
            httpStatus: 403)
        throw AWSError(
            kind: .credentials, service: "logs", operation: "FilterLogEvents",
            message: "assuming \(role) failed: \(sts.description)", underlying: sts)
    }
}

/// An envelope read back from the bus's history, with the fields the target tests look at.
struct PublishedEnvelope {
    var stream: String
    var type: String
    var account: String
    var region: String
    var data: Any

    init(_ message: BusMessage) throws {
        let object = try JSONSerialization.jsonObject(with: Data(message.envelope.readableBytesView)) as? [String: Any]
        self.stream = object?["stream"] as? String ?? ""
        self.type = object?["type"] as? String ?? ""
        self.account = object?["account"] as? String ?? ""
        self.region = object?["region"] as? String ?? ""
        self.data = object?["data"] ?? NSNull()
    }

    /// Every envelope in `stream`'s history.
    static func history(_ bus: InProcessBus, stream: StreamName) async throws -> [PublishedEnvelope] {
        try await bus.makeSubscriber().history(of: stream, after: nil, limit: 100_000).map(PublishedEnvelope.init)
    }

    var stateCode: String? { (data as? [String: Any])?["code"] as? String }
    var state: String? { (data as? [String: Any])?["state"] as? String }
    var operation: String? { (data as? [String: Any])?["operation"] as? String }
}

/// An in-process bus that also keeps every heartbeat it was asked to deliver.
final class HeartbeatRecordingBus: PublisherBus {
    let inner = InProcessBus()
    let heartbeats = Mutex<[(stream: StreamName, envelope: [UInt8])]>([])

    func acquireLease(token: String, ttl: Duration) async throws -> Int64? {
        try await inner.acquireLease(token: token, ttl: ttl)
    }

    func renewLease(token: String, ttl: Duration) async throws -> Bool {
        try await inner.renewLease(token: token, ttl: ttl)
    }

    func releaseLease(token: String) async throws { try await inner.releaseLease(token: token) }

    func publish(
        _ envelope: EncodedEnvelope, to stream: StreamName, cursor: [String: String]?, scope: BusCursorScope, token: String
    ) async throws -> PublishOutcome {
        try await inner.publish(envelope, to: stream, cursor: cursor, scope: scope, token: token)
    }

    func heartbeat(_ envelope: EncodedEnvelope, to stream: StreamName, token: String) async throws -> PublishOutcome {
        heartbeats.withLock { $0.append((stream, envelope.withID("0-0"))) }
        return try await inner.heartbeat(envelope, to: stream, token: token)
    }

    func cursor(of stream: StreamName, scope: BusCursorScope) async throws -> [String: String] {
        try await inner.cursor(of: stream, scope: scope)
    }

    func listenerCounts(of streams: [StreamName]) async throws -> [StreamName: Int] {
        try await inner.listenerCounts(of: streams)
    }
}

/// A monitoring account's collector: one poll, one batch per linked account.
struct LinkedAccountsCollector: Collector {
    let stream: StreamName
    let accounts: [String]
    /// The Region of each batch, in order; nil or missing: the target's.
    var regions: [String?] = []

    func poll(from cursor: [String: String]) async throws -> CollectedPoll {
        guard cursor["done"] == nil else { return CollectedPoll(batches: []) }
        return CollectedPoll(
            batches: accounts.enumerated().map { index, account in
                CollectedBatch(
                    type: stream.dataType, data: Array("[1]".utf8), cursor: ["done": "1"], account: account,
                    region: index < regions.count ? regions[index] : nil)
            })
    }
}
