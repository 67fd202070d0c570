import AWSServices
import Foundation
import Logging
import Payloads

typealias HealthCollector = IncrementalCollector<HealthSource>

/// `aws-health`: AWS Health `DescribeEvents` last updated since the cursor's start (whole
/// seconds). An event is new when its (arn, lastUpdatedTime) was not published: an update of an
/// event is published again. Each poll reads again the overlap window (`window.overlap`, 1 hour
/// by default) behind the point it read last.
///
/// The listing is read to its end, sorted oldest update first, and `maxEventsPerPoll` bounds
/// what one poll publishes (the oldest; the rest follow at the next poll).
///
/// With `organizationView` the listing is the organization's (``organizationListing(for:atMost:)``).
struct HealthSource: IncrementalSource {
    static var stream: StreamName { .health }

    let client: HealthClient
    let settings: HealthSettings
    let logger: Logger
    /// The accounts of the organization events already asked about (``organizationListing(for:atMost:)``).
    let affectedAccounts = HealthAffectedAccountsMemo()

    /// Events per DescribeEvents page (the API's maximum).
    static let pageSize = 100

    var usage: AWSUsageCounter { client.usage }

    func listing(for query: IncrementalQuery, atMost limit: Int) async throws -> IncrementalListing<NormalizedHealthEvent> {
        if settings.organizationView { return try await organizationListing(for: query, atMost: limit) }
        let input = DescribeEventsInput(
            filter: .init(lastUpdatedFrom: Date(timeIntervalSince1970: query.start.timeIntervalSince1970.rounded(.down))),
            maxResults: Self.pageSize)
        return IncrementalListing(events: try await client.describeEvents(input).events.compactMap(normalize))
    }

    /// The payload of one event and its place on the cursor's line (arn at lastUpdatedTime);
    /// `nil` (logged) for an event without lastUpdatedTime or with one outside 1970 to 9999.
    func normalize(_ event: AWSServices.HealthEvent) -> NormalizedHealthEvent? {
        guard
            let mark = IncrementalCursor.Mark.checked(
                event.lastUpdatedTime, id: event.arn, operation: "DescribeEvents", field: "lastUpdatedTime", logger: logger)
        else { return nil }
        return NormalizedHealthEvent(
            mark: mark,
            payload: Payloads.HealthEvent(
                arn: event.arn, service: event.service ?? "", typeCode: event.eventTypeCode ?? "",
                category: event.eventTypeCategory ?? "", region: event.region, availabilityZone: event.availabilityZone,
                startTime: event.startTime.flatMap(PayloadTime.string(from:)),
                endTime: event.endTime.flatMap(PayloadTime.string(from:)),
                lastUpdatedTime: PayloadTime.string(milliseconds: mark.time), status: event.statusCode ?? "",
                scope: event.eventScopeCode))
    }
}

struct NormalizedHealthEvent: IncrementalEvent {
    var mark: IncrementalCursor.Mark
    var payload: Payloads.HealthEvent
    /// The affected account this copy of an organization event is published under; nil: the target's.
    var origin: EventOrigin?
}
