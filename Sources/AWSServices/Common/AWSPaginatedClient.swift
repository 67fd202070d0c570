import AWSCore
import Logging

/// What a service client needs for its paginated calls: the service, the usage counter, the
/// page limit and the logger.
protocol AWSPaginatedClient: Sendable {
    static var service: AWSService { get }
    var usage: AWSUsageCounter { get }
    var pagination: AWSPaginationLimits { get }
    var logger: Logger { get }
}

extension AWSPaginatedClient {
    /// The pages of one call of `operation`, each fetched by `page` with the previous page's
    /// token, to the end; past ``pagination`` the sequence fails with `.limitExceeded`.
    func pages<Page: AWSPage>(
        of operation: String, _ page: @escaping @Sendable (String?) async throws -> Page
    ) -> AWSPageSequence<Page> {
        AWSPageSequence(
            AWSPageWalk(service: Self.service, operation: operation, limits: pagination, logger: logger), fetch: page)
    }

    /// Reads every page of one call of `operation` in order, handing each to `read`; returns the
    /// number of pages (requests). Counts nothing in ``usage`` but the requests.
    func readPages<Page: AWSPage>(
        of operation: String, _ page: @escaping @Sendable (String?) async throws -> Page, read: (Page) -> Void
    ) async throws -> Int {
        var pages = self.pages(of: operation, page).makeAsyncIterator()
        while let next = try await pages.next() { read(next) }
        return pages.walk.pages
    }

    /// ``readPages(of:_:read:)`` counted as one call of `operation` in ``usage``.
    func readCall<Page: AWSPage>(
        of operation: String, _ page: @escaping @Sendable (String?) async throws -> Page, read: (Page) -> Void
    ) async throws -> Int {
        usage.recordCall(operation)
        return try await readPages(of: operation, page, read: read)
    }

    /// The items of every page of one call of `operation`, in page order, and the number of
    /// pages (``readCall(of:_:read:)``).
    func readItems<Item>(
        of operation: String, _ page: @escaping @Sendable (String?) async throws -> AWSListPage<Item>
    ) async throws -> (items: [Item], pages: Int) {
        var items: [Item] = []
        let pages = try await readCall(of: operation, page) { items += $0.items }
        return (items, pages)
    }
}
