import Foundation
import TextFormats

/// The incremental streams: CloudWatch Logs `FilterLogEvents`, CloudTrail `LookupEvents`,
/// Security Hub `GetFindings`, AWS Health `DescribeEvents`. Events happen on a fixed cadence
/// (``DemoResponder/Cadence``); slot `k` is the event at `k * cadence`, with ids made from `k`,
/// so every new slot is a new event and a repeated window returns the same events.
extension DemoResponder {
    func filterLogEvents(_ request: DemoRequest, now: Double) -> String {
        let group = request.string("logGroupName") ?? request.string("logGroupIdentifier") ?? "/aws/lambda/orders-api"
        let start = (request.number("startTime") ?? (now - 300) * 1000) / 1000
        let end = min((request.number("endTime") ?? now * 1000) / 1000, now)
        let limit = min(Int(request.number("limit") ?? 50), 50)
        let every = Cadence.logs
        // Each group logs at its own offset within the cadence.
        let offset = Double(DemoSignal.hash(group, 1) % 1000) / 1000 * every
        let day = Int(now / 86_400) * 86_400
        let civil = DemoClock.day(day).replacingOccurrences(of: "-", with: "/")
        let stream = "\(civil)/[$LATEST]\(DemoSignal.hex(group, day, length: 32))"
        let events = Self.slots(every: every, offset: offset, from: start, to: end, limit: limit).map { slot in
            let milliseconds = Int64(((Double(slot) * every + offset) * 1000).rounded(.down))
            let messages = DemoCaptures.logMessages
            let message = TextTemplate(messages[Self.index(slot, messages.count)]).render(
                [
                    "requestId": DemoSignal.uuid(group, slot / messages.count), "n": String(1000 + Self.index(slot, 9000)),
                    "ms": String(20 + DemoSignal.hash(group, slot) % 900),
                ])
            return TextTemplate(DemoCaptures.filterLogEventsEvent).render([
                "eventId": "\(milliseconds)\(DemoSignal.hash(group, slot) % 1_000_000_000)",
                "ingestionTime": String(milliseconds + 180), "timestamp": String(milliseconds), "logStream": stream,
                "message": JSONString.escaped(message),
            ])
        }
        return fill(DemoCaptures.filterLogEvents, ["events": events.joined(separator: ","), "logStream": stream], slot: Int(now))
    }

    func lookupEvents(_ request: DemoRequest, now: Double) -> String {
        let start = request.number("StartTime") ?? now - 3600
        let end = min(request.number("EndTime") ?? now, now)
        let limit = min(Int(request.number("MaxResults") ?? 50), 10)
        // CloudTrail answers newest first.
        let events = Self.slots(every: Cadence.activity, from: start, to: end, limit: limit).reversed().map { slot in
            let activity = DemoCaptures.activities[Self.index(slot, DemoCaptures.activities.count)]
            let time = Double(slot) * Cadence.activity
            let n = String(DemoSignal.hex("resource", slot, length: 4))
            var values = [
                "eventId": DemoSignal.uuid("cloudtrail", slot), "eventName": activity.eventName,
                "eventSource": activity.eventSource, "username": activity.username, "role": activity.role,
                "resourceType": activity.resourceType,
                "resourceName": TextTemplate(activity.resourceName).render(["n": n]),
                "readOnly": activity.isReadOnly ? "true" : "false", "eventTime": String(Int(time)),
                "eventTimeISO": DemoClock.iso8601(time), "sourceIP": activity.sourceIP,
                "requestId": DemoSignal.uuid("cloudtrail-request", slot),
            ]
            values["cloudTrailEvent"] = JSONString.escaped(fill(DemoCaptures.cloudTrailRecord, values, slot: slot))
            return fill(DemoCaptures.lookupEventsEvent, values, slot: slot)
        }
        return fill(DemoCaptures.lookupEvents, ["events": events.joined(separator: ",")], slot: Int(now))
    }

    func getFindings(_ request: DemoRequest, now: Double) -> String {
        let start = request.string("Filters", "UpdatedAt", "0", "Start").flatMap(DemoClock.parseISO8601) ?? now - 86_400
        let end = min(request.string("Filters", "UpdatedAt", "0", "End").flatMap(DemoClock.parseISO8601) ?? now, now)
        let limit = min(Int(request.number("MaxResults") ?? 100), 10)
        let findings = Self.slots(every: Cadence.security, from: start, to: end, limit: limit).map { slot in
            let finding = DemoCaptures.findings[Self.index(slot, DemoCaptures.findings.count)]
            let n = DemoSignal.hex("resource", slot, length: 4)
            let values = [
                "control": finding.control, "severity": finding.severity, "normalized": String(finding.normalized),
                "title": finding.title, "resourceType": finding.resourceType,
                "resourceId": fill(finding.resourceId, ["n": n], slot: slot), "findingId": DemoSignal.uuid("finding", slot),
                "updatedAt": DemoClock.iso8601(Double(slot) * Cadence.security, milliseconds: true),
            ]
            return fill(DemoCaptures.finding, values, slot: slot)
        }
        return fill(DemoCaptures.getFindings, ["findings": findings.joined(separator: ",")], slot: Int(now))
    }

    func describeEvents(_ request: DemoRequest, now: Double) -> String {
        let start = request.number("filter", "lastUpdatedTimes", "0", "from") ?? now - 7 * 86_400
        let end = min(request.number("filter", "lastUpdatedTimes", "0", "to") ?? now, now)
        let limit = min(Int(request.number("maxResults") ?? 100), 5)
        let events = Self.slots(every: Cadence.health, from: start, to: end, limit: limit).map { slot in
            let event = DemoCaptures.healthEvents[Self.index(slot, DemoCaptures.healthEvents.count)]
            let updated = Double(slot) * Cadence.health
            let values = [
                "service": event.service, "eventTypeCode": event.eventTypeCode, "category": event.category,
                "status": event.status, "scope": event.scope, "n": DemoSignal.hex("health", slot, length: 8).uppercased(),
                "eventRegion": event.service == "BILLING" ? "global" : region, "startTime": String(Int(updated) - 900),
                "endTimeMember": event.status == "closed" ? "\"endTime\":\(Int(updated) - 60)," : "",
                "lastUpdatedTime": String(format: "%.3f", updated),
            ]
            return fill(DemoCaptures.healthEvent, values, slot: slot)
        }
        return fill(DemoCaptures.describeEvents, ["events": events.joined(separator: ",")], slot: Int(now))
    }

    /// `slot` modulo `count`, never negative.
    static func index(_ slot: Int, _ count: Int) -> Int {
        ((slot % count) + count) % count
    }
}
