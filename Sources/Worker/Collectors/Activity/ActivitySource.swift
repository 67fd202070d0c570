import AWSServices
import Foundation
import Logging
import Payloads

typealias ActivityCollector = IncrementalCollector<ActivitySource>

/// `aws-activity`: CloudTrail `LookupEvents` from the cursor's start to now, de-duplicated by
/// EventId, oldest first.
///
/// CloudTrail delivers an event to its event history minutes after the call, out of order, so
/// each poll reads again the overlap window (`window.overlap`, 15 minutes by default) behind the
/// point it read last, and drops the events published already.
///
/// CloudTrail answers newest first, so a poll reads to the end of the listing before publishing
/// anything; `maxEventsPerPoll` then bounds what one poll publishes (the oldest events; the rest
/// follow at the next poll). The client's rate limiter keeps to CloudTrail's 2 calls per second.
struct ActivitySource: IncrementalSource {
    static var stream: StreamName { .activity }

    let client: CloudTrailClient
    let settings: ActivitySettings
    let logger: Logger

    var usage: AWSUsageCounter { client.usage }

    func listing(for query: IncrementalQuery, atMost limit: Int) async throws -> IncrementalListing<NormalizedActivity> {
        // LookupEvents takes epoch seconds: start at the whole second, the cursor drops the rest.
        let input = LookupEventsInput(
            startTime: Date(timeIntervalSince1970: query.start.timeIntervalSince1970.rounded(.down)), endTime: query.end)
        return IncrementalListing(events: try await client.lookupEvents(input).events.compactMap(normalize))
    }

    /// The payload of one listed event, with its place on the cursor's line; `nil` (logged) for
    /// an event without a time, which cannot be placed.
    func normalize(_ event: CloudTrailEvent) -> NormalizedActivity? {
        var record: CloudTrailEventRecord?
        do {
            record = try event.record()
        } catch {
            logger.debug(
                "CloudTrailEvent is not a CloudTrail record; publishing what LookupEvents gives",
                metadata: ["aws.cloudtrail.event.id": "\(event.eventId)", "error": "\(error)"])
        }
        guard
            let mark = IncrementalCursor.Mark.checked(
                event.eventTime ?? record?.eventTime, id: event.eventId, operation: "LookupEvents", field: "EventTime",
                logger: logger)
        else { return nil }
        return NormalizedActivity(mark: mark, payload: ActivityEvent(event, record: record, time: mark.time))
    }
}

struct NormalizedActivity: IncrementalEvent {
    var mark: IncrementalCursor.Mark
    var payload: ActivityEvent
}
