import AWSServices
import Logging
import Payloads

/// What is particular to one incremental stream: its API client and settings, and the listing of
/// one time range normalized into events. ``IncrementalCollector`` does the rest.
protocol IncrementalSource: Sendable {
    associatedtype Client: Sendable
    associatedtype Event: IncrementalEvent
    associatedtype Settings: IncrementalStreamSettings

    static var stream: StreamName { get }
    /// The member of a published document that holds the events (`events`, `findings`).
    static var member: String { get }

    init(client: Client, settings: Settings, logger: Logger)

    var settings: Settings { get }
    var logger: Logger { get }
    /// The client's count of its AWS requests.
    var usage: AWSUsageCounter { get }

    /// The events of `query`'s time range; `limit` is the most one poll publishes.
    func listing(for query: IncrementalQuery, atMost limit: Int) async throws -> IncrementalListing<Event>

    /// How many of the events about to be published arrived later than the window allows.
    func lateEvents(in published: [Event]) -> Int
}

extension IncrementalSource {
    static var member: String { "events" }

    func lateEvents(in published: [Event]) -> Int { 0 }
}
