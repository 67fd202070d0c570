import AWSServices
import Foundation
import Payloads
import Synchronization

extension HealthSource {
    /// Health's organizational view: `DescribeEventsForOrganization` since the query's start (read
    /// to its end: AWS sorts it newest first), and for each account-specific event not yet
    /// published, `DescribeAffectedAccountsForOrganization`. Such an event is published once per
    /// affected account, under that account (its envelope's `account`), each copy with its own
    /// place on the cursor (`<arn>#<account>` at the event's update time), so a poll that stops
    /// part way through an event's accounts goes on with the rest and repeats none. A public
    /// event, or one whose accounts AWS does not list, is published once under the polling
    /// account. Oldest first, until `limit` new copies: the rest follow at the next poll.
    func organizationListing(for query: IncrementalQuery, atMost limit: Int) async throws
        -> IncrementalListing<NormalizedHealthEvent>
    {
        let from = Date(timeIntervalSince1970: query.start.timeIntervalSince1970.rounded(.down))
        let events = try await client.describeEventsForOrganization(
            DescribeEventsForOrganizationInput(lastUpdatedFrom: from, maxResults: Self.pageSize)
        ).events.compactMap(normalize).sorted { $0.mark < $1.mark }
        var found: [NormalizedHealthEvent] = []
        var new = 0
        for event in events {
            guard new < limit else { return IncrementalListing(events: found, isComplete: false) }
            let copies = try await accountCopies(of: event, before: query.cursor)
            new += copies.count { !query.cursor.contains($0.mark) }
            found += copies
        }
        return IncrementalListing(events: found)
    }

    /// One copy of `event` per account it affects; the event itself when it is public, lies
    /// before the cursor's window, or AWS lists no well-formed account id for it.
    private func accountCopies(of event: NormalizedHealthEvent, before cursor: IncrementalCursor) async throws
        -> [NormalizedHealthEvent]
    {
        guard event.payload.scope == "ACCOUNT_SPECIFIC", !cursor.contains(event.mark) else { return [event] }
        let accounts: [String]
        if let known = affectedAccounts[event.mark] {
            accounts = known
        } else {
            let listed = try await client.affectedAccounts(ofEvent: event.payload.arn)
            accounts = Set(listed.filter(EnvelopeTarget.isAccountID)).sorted()
            affectedAccounts[event.mark] = accounts
        }
        guard !accounts.isEmpty else { return [event] }
        return accounts.map { account in
            var copy = event
            copy.mark.id = "\(event.mark.id)#\(account)"
            copy.origin = EventOrigin(account: account, region: nil)
            return copy
        }
    }
}

/// The affected accounts of organization events (by arn and update time) this process already
/// read, so the overlap window's events are not asked about again on every poll. Bounded: past
/// ``limit`` entries it starts over.
final class HealthAffectedAccountsMemo: Sendable {
    static let limit = 10_000
    private let accounts = Mutex<[IncrementalCursor.Mark: [String]]>([:])

    subscript(mark: IncrementalCursor.Mark) -> [String]? {
        get { accounts.withLock { $0[mark] } }
        set {
            accounts.withLock { accounts in
                if accounts.count >= Self.limit { accounts.removeAll(keepingCapacity: true) }
                accounts[mark] = newValue
            }
        }
    }
}
