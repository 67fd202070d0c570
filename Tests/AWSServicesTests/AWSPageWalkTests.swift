import AWSCore
import AWSServices
import Synchronization
import Testing

/// The page walk on its own: scripted pages, no network.
@Suite struct AWSPageWalkTests {
    struct Page: AWSPage, Equatable {
        var number: Int
        var nextToken: String?
    }

    /// Pages whose next tokens are `tokens` in order; the page after the last has none. Records
    /// the token each request sent.
    final class ScriptedPages: Sendable {
        let tokens: [String?]
        let sent = Mutex<[String?]>([])

        init(tokens: [String?]) { self.tokens = tokens }

        func fetch(_ token: String?) -> Page {
            let number = sent.withLock { sent in
                sent.append(token)
                return sent.count
            }
            return Page(number: number, nextToken: number <= tokens.count ? tokens[number - 1] : nil)
        }

        var sentTokens: [String?] { sent.withLock { $0 } }
    }

    func walk(maxPages: Int = 100, atLimit: AWSPageLimitPolicy = .fail) -> AWSPageWalk {
        AWSPageWalk(
            service: .cloudTrail, operation: "LookupEvents", limits: AWSPaginationLimits(maxPages: maxPages),
            atLimit: atLimit, logger: testLogger)
    }

    func readAll(_ walk: inout AWSPageWalk, _ pages: ScriptedPages) async throws -> [Page] {
        var read: [Page] = []
        while let page = try await walk.next({ pages.fetch($0) }) { read.append(page) }
        return read
    }

    @Test func followsTokensToTheEnd() async throws {
        let pages = ScriptedPages(tokens: ["a", "b"])
        var walk = walk()
        let read = try await readAll(&walk, pages)
        #expect(read.map(\.number) == [1, 2, 3])
        #expect(pages.sentTokens == [nil, "a", "b"])
        #expect(walk.pages == 3)
        #expect(!walk.hasMorePages)
    }

    @Test func anEmptyTokenEndsTheWalk() async throws {
        let pages = ScriptedPages(tokens: ["a", ""])
        var walk = walk()
        #expect(try await readAll(&walk, pages).count == 2)
        #expect(!walk.hasMorePages)
    }

    @Test func aTokenThatRepeatsTheLastOneStops() async throws {
        let pages = ScriptedPages(tokens: ["a", "a", "b"])
        var walk = walk()
        #expect(try await readAll(&walk, pages).count == 2)
        #expect(pages.sentTokens == [nil, "a"])
        #expect(!walk.hasMorePages)
    }

    @Test func tokensInACycleEndAtThePageLimit() async throws {
        // A hostile endpoint cycling a, b, a, b, ...: the walk fails at the limit, never loops
        // forever, and never passes off an unfinished listing as complete.
        let pages = ScriptedPages(tokens: Array(repeating: ["a", "b"], count: 50).flatMap { $0 })
        var walk = walk(maxPages: 7)
        await #expect {
            try await readAll(&walk, pages)
        } throws: { error in
            (error as? AWSError)?.kind == .limitExceeded
        }
        #expect(pages.sentTokens.count == 7)
    }

    @Test func thePageLimitFailsACallThatMustReadToTheEnd() async throws {
        let pages = ScriptedPages(tokens: (1...50).map { "t\($0)" })
        var walk = walk(maxPages: 5)
        await #expect {
            try await readAll(&walk, pages)
        } throws: { error in
            let error = error as? AWSError
            return error?.kind == .limitExceeded && error?.operation == "LookupEvents" && error?.service == "cloudtrail"
        }
        #expect(pages.sentTokens.count == 5)
    }

    @Test func thePageLimitStopsAWalkThatContinuesLater() async throws {
        let pages = ScriptedPages(tokens: (1...50).map { "t\($0)" })
        var walk = walk(maxPages: 5, atLimit: .stop)
        #expect(try await readAll(&walk, pages).count == 5)
        #expect(walk.hasMorePages)
        #expect(try await walk.next({ pages.fetch($0) }) == nil)
        #expect(pages.sentTokens.count == 5)
    }

    @Test func aReaderThatStopsEarlyLeavesPages() async throws {
        let pages = ScriptedPages(tokens: ["a", "b"])
        var walk = walk()
        _ = try await walk.next({ pages.fetch($0) })
        #expect(walk.hasMorePages)
        #expect(pages.sentTokens == [nil])
    }

    @Test func cancellationStopsBeforeTheNextRequest() async throws {
        let pages = ScriptedPages(tokens: (1...50).map { "t\($0)" })
        let sequence = AWSPageSequence(walk()) { pages.fetch($0) }
        let task = Task {
            var read = 0
            for try await _ in sequence {
                read += 1
                if read == 2 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return read
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(pages.sentTokens.count == 2)
    }

    @Test func theSequenceReadsEveryPage() async throws {
        let pages = ScriptedPages(tokens: ["a", "b", "c"])
        var read: [Int] = []
        for try await page in AWSPageSequence(walk(), fetch: { pages.fetch($0) }) { read.append(page.number) }
        #expect(read == [1, 2, 3, 4])
    }
}
