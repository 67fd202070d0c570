/// The pages of one paginated call as an `AsyncSequence`, driven by an ``AWSPageWalk``: each
/// page is fetched with the previous page's token, under the walk's page limit, repeated-token
/// stop and cancellation checks. Nothing is sent before the first `next()`.
public struct AWSPageSequence<Page: AWSPage>: AsyncSequence, Sendable {
    public typealias Element = Page
    public typealias Failure = any Error

    let walk: AWSPageWalk
    let fetch: @Sendable (String?) async throws -> Page

    public init(_ walk: AWSPageWalk, fetch: @escaping @Sendable (String?) async throws -> Page) {
        self.walk = walk
        self.fetch = fetch
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(walk: walk, fetch: fetch)
    }

    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        /// Where the call stands (``AWSPageWalk/pages``, ``AWSPageWalk/hasMorePages``).
        public private(set) var walk: AWSPageWalk
        let fetch: @Sendable (String?) async throws -> Page

        public mutating func next() async throws -> Page? {
            try await walk.next(isolation: nil, fetch)
        }
    }
}
