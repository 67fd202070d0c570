import Foundation
import Payloads
import TestSupport
import Testing

@Suite struct StreamNameTests {
    @Test func knownNamesOnly() {
        #expect(StreamName(rawValue: "aws-metrics") == .metrics)
        #expect(StreamName(rawValue: "aws-nope") == nil)
        #expect(StreamName(rawValue: "") == nil)
        #expect(StreamName.allCases.count == 6)
    }

    @Test func eventNamesOfTheOldGateway() {
        #expect(StreamName.metrics.updateEvent == "aws-metrics-update")
        #expect(StreamName.security.dataType == "security")
    }

    @Test func decodingAnUnknownStreamFails() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([StreamName].self, from: Data(#"["aws-x"]"#.utf8)) }
    }
}

@Suite struct ISO8601Tests {
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"), (1_795_737_600.0, "2026-11-27T00:00:00.000Z"),
        (951_782_400.5, "2000-02-29T00:00:00.500Z"),
        (-1.0, "1969-12-31T23:59:59.000Z"), (4_102_444_799.999, "2099-12-31T23:59:59.999Z"),
    ])
    func formats(seconds: Double, text: String) {
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: seconds)) == text)
        #expect(ISO8601.date(from: text).map { abs($0.timeIntervalSince1970 - seconds) < 0.0005 } == true)
    }

    @Test func parsesAWSForms() {
        #expect(ISO8601.date(from: "2026-11-27T00:00:00Z")?.timeIntervalSince1970 == 1_795_737_600)
        #expect(ISO8601.date(from: "2026-11-27T00:00:00+00:00")?.timeIntervalSince1970 == 1_795_737_600)
        #expect(
            ISO8601.date(from: "2026-11-27T00:00:00.123456Z").map { abs($0.timeIntervalSince1970 - 1_795_737_600.123456) < 1e-6 }
                == true)
    }

    @Test(arguments: [
        "", "2026-11-27", "2026-13-01T00:00:00Z", "2026-11-27T00:00:00", "2026-11-27T00:00:00+02:00", "x026-11-27T00:00:00Z",
    ])
    func refusesOtherText(text: String) {
        #expect(ISO8601.date(from: text) == nil)
    }
}

@Suite struct EnvelopeTests {
    @Test func encodedEnvelopeTakesItsIDAtPublishTime() throws {
        let envelope = Envelope(
            stream: .costs, type: "costs", epoch: 7, timestamp: PayloadSamples.now, account: "123456789012", region: "eu-west-1",
            data: PayloadSamples.costs)
        let encoded = try EncodedEnvelope(envelope)
        let bytes = encoded.withID("1795737600000-0")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"v":1,"stream":"aws-costs","type":"costs","id":"1795737600000-0","epoch":7,"#))
        let decoded = try JSONDecoder().decode(Envelope<CostsData>.self, from: Data(bytes))
        #expect(decoded.id == "1795737600000-0")
        #expect(decoded.data == PayloadSamples.costs)
        #expect(decoded.timestamp == "2026-11-27T00:00:00.000Z")
    }

    @Test func stringsAreEscaped() throws {
        let envelope = Envelope(
            stream: .logs, type: "logs", epoch: 1, timestamp: PayloadSamples.now, account: "1\"2", region: "eu-west-1",
            data: PayloadSamples.logs)
        let bytes = try EncodedEnvelope(envelope).withID("1-0")
        let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        #expect(object?["account"] as? String == "1\"2")
    }
}

@Suite struct SchemaTests {
    @Test func everyStreamSampleSatisfiesItsSchema() async throws {
        var documents = try PayloadSamples.encoded()
        let envelope = Envelope(
            stream: .metrics, type: "metrics", epoch: 3, timestamp: PayloadSamples.now, account: "123456789012",
            region: "eu-west-1",
            data: PayloadSamples.metrics)
        documents.append(("envelope", try EncodedEnvelope(envelope).withID("1795737600000-0")))
        let heartbeat = Envelope(
            stream: .health, type: Heartbeat.type, epoch: 3, timestamp: PayloadSamples.now, account: "123456789012",
            region: "eu-west-1",
            data: Heartbeat())
        documents.append(("envelope", try EncodedEnvelope(heartbeat).withID("1795737600000-1")))
        #expect(try await JSONSchemaValidator.violations(documents) == [])
    }

    /// The validator does fail: a payload without a required field and with a wrong type is refused.
    @Test func schemaViolationsAreReported() async throws {
        let broken = Array(#"{"events":[{"id":"1","logGroup":"g","timestamp":"yesterday","message":"m"}]}"#.utf8)
        let violations = try await JSONSchemaValidator.violations([("aws-logs", broken)])
        #expect(violations.count == 2)
        #expect(violations.contains { $0.contains("logStream") })
        #expect(violations.contains { $0.contains("yesterday") })
    }
}
