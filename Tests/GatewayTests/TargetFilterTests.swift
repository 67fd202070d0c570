import Bus
import Foundation
import JWTKit
import NIOCore
import Payloads
import TestSupport
import Testing
import TextFormats

@testable import Gateway

/// Issue 17, the gateway's side as plain values: the `accounts` and `regions` lists (claims and
/// subscribe filters), the filter decision, the envelope's origin read from its bytes (hostile
/// ones included), the per-target snapshot and the hub relaying through filters.
struct TargetFilterTests {
    static let a1 = "111111111111"
    static let a2 = "222222222222"

    static func envelope(account: String, region: String, type: String = "metrics", data: String = "{}") -> String {
        #"{"v":1,"stream":"aws-metrics","type":"\#(type)","id":"1-0","epoch":1,"timestamp":"2026-12-06T00:00:00.000Z","account":"\#(account)","region":"\#(region)","data":\#(data)}"#
    }

    static func message(_ milliseconds: UInt64, account: String, region: String, type: String = "metrics") -> BusMessage {
        BusMessage(
            stream: .metrics, id: BusMessageID(milliseconds: milliseconds, sequence: 0),
            envelope: ByteBuffer(string: envelope(account: account, region: region, type: type)))
    }

    // MARK: Lists

    @Test func listsOfAccountsAndRegionsAreValidated() throws {
        #expect(TargetFilter.parse(nil, as: .accounts) == .success(nil))
        #expect(TargetFilter.parse(["*"], as: .accounts) == .success(nil))
        #expect(TargetFilter.parse(["*"], as: .regions) == .success(nil))
        #expect(TargetFilter.parse([Self.a1, Self.a2], as: .accounts) == .success([Self.a1, Self.a2]))
        #expect(
            TargetFilter.parse(["eu-west-1", "us-gov-west-1", "global", "cn-north-1", "ap-southeast-2"], as: .regions)
                == .success(["eu-west-1", "us-gov-west-1", "global", "cn-north-1", "ap-southeast-2"]))
        for bad in [[], ["*", Self.a1], ["12345678901"], ["1234567890123"], ["12345678901a"], ["١٢٣٤٥٦٧٨٩٠١٢"], [""]] {
            #expect(throws: TargetFilterError.self, "\(bad)") { try TargetFilter.parse(bad, as: .accounts).get() }
        }
        let badRegions = [
            "EU-WEST-1", "eu", "-eu-west-1", "eu--west", "eu-west-", "1eu-west", "eu_west_1", String(repeating: "a-", count: 20),
            "eu-west-1\u{0}", "eu-wést-1", " eu-west-1", "*x",
        ]
        for bad in badRegions {
            #expect(throws: TargetFilterError.self, "\(bad)") { try TargetFilter.parse([bad], as: .regions).get() }
        }
        // Bounded.
        let many = (0...TargetFilter.maxAccounts).map { String(format: "%012d", $0) }
        #expect(throws: TargetFilterError.self) { try TargetFilter.parse(many, as: .accounts).get() }
        #expect(throws: TargetFilterError.self) {
            try TargetFilter.parse(Array(repeating: "eu-west-1", count: TargetFilter.maxRegions + 1), as: .regions).get()
        }
        // A long hostile value is quoted by its first 64 characters only.
        let long = String(repeating: "9", count: 10_000)
        let error = try #require(TargetFilter.parse([long], as: .accounts).failureValue)
        #expect(error.message.count < 200)
        #expect(TargetFilter.split(" 111111111111 ,,222222222222,") == [Self.a1, Self.a2])
        #expect(TargetFilter.split(nil) == nil)
    }

    // MARK: The decision

    @Test func theFilterDecision() {
        let filter = TargetFilter(accounts: [Self.a1], regions: ["eu-west-1"])
        #expect(filter.allows(EnvelopeOrigin(account: Self.a1, region: "eu-west-1")))
        #expect(!filter.allows(EnvelopeOrigin(account: Self.a1, region: "us-east-1")))
        #expect(!filter.allows(EnvelopeOrigin(account: Self.a2, region: "eu-west-1")))
        // Global data passes every region filter; the account filter still applies.
        #expect(filter.allows(EnvelopeOrigin(account: Self.a1, region: "global")))
        #expect(!filter.allows(EnvelopeOrigin(account: Self.a2, region: "global")))
        // Heartbeats pass everything.
        #expect(filter.allows(EnvelopeOrigin(account: "999999999999", region: "xx-x-1", isHeartbeat: true)))
        // No account or region: only a reader that does not restrict that dimension.
        #expect(!filter.allows(EnvelopeOrigin(account: "", region: "")))
        #expect(TargetFilter(accounts: nil, regions: ["eu-west-1"]).allows(EnvelopeOrigin(account: "", region: "eu-west-1")))
        #expect(!TargetFilter(accounts: nil, regions: ["eu-west-1"]).allows(EnvelopeOrigin(account: Self.a1, region: "")))
        #expect(TargetFilter.everything.allows(EnvelopeOrigin(account: "", region: "")))
        #expect(TargetFilter.everything.orNilIfEverything == nil)
        #expect(filter.orNilIfEverything == filter)
    }

    @Test func aSubscribeNarrowsTheTokensScopeAndIsRefusedBeyondIt() {
        let scope = TargetFilter(accounts: [Self.a1, Self.a2], regions: ["eu-west-1"])
        // Nothing asked: the token's scope.
        #expect(scope.narrowed(by: .everything) == .success(scope))
        #expect(
            scope.narrowed(by: TargetFilter(accounts: [Self.a2], regions: nil))
                == .success(TargetFilter(accounts: [Self.a2], regions: ["eu-west-1"])))
        #expect(
            scope.narrowed(by: TargetFilter(accounts: ["333333333333"], regions: nil), stream: .logs)
                == .failure(.forbiddenAccount("333333333333", stream: .logs)))
        #expect(
            scope.narrowed(by: TargetFilter(accounts: nil, regions: ["us-east-1"]))
                == .failure(.forbiddenRegion("us-east-1", stream: nil)))
        // `global` may be named whatever the scope: global data passes every region filter anyway.
        #expect(scope.narrowed(by: TargetFilter(accounts: nil, regions: ["global"])).isSuccess)
        // An unrestricted token takes any filter.
        let filter = TargetFilter(accounts: ["333333333333"], regions: ["us-east-1"])
        #expect(TargetFilter.everything.narrowed(by: filter) == .success(filter))
        #expect(ClientProtocolError.forbiddenAccount("333333333333", stream: .logs).code == "forbidden")
    }

    // MARK: The envelope's origin

    @Test func theOriginIsReadFromTheEnvelopesLeadingFields() {
        let origin = EnvelopeOrigin(envelope: ByteBuffer(string: Self.envelope(account: Self.a1, region: "eu-west-1")))
        #expect(origin == EnvelopeOrigin(account: Self.a1, region: "eu-west-1"))
        #expect(!origin.isHeartbeat && !origin.isGlobal)
        let heartbeat = EnvelopeOrigin(
            envelope: ByteBuffer(string: Self.envelope(account: Self.a1, region: "eu-west-1", type: "heartbeat")))
        #expect(heartbeat.isHeartbeat)
        #expect(EnvelopeOrigin(envelope: ByteBuffer(string: Self.envelope(account: Self.a1, region: "global"))).isGlobal)
        // Whitespace anywhere, keys in another order.
        let spaced = EnvelopeOrigin(
            envelope: ByteBuffer(
                string: " {\n \"region\" : \"us-east-1\" ,\t\"data\":[1,{\"a\":\"}\"}], \"account\":\"\(Self.a2)\" } "))
        #expect(spaced == EnvelopeOrigin(account: Self.a2, region: "us-east-1"))
        // Only what follows the fields is broken: they are read anyway.
        #expect(
            EnvelopeOrigin(envelope: ByteBuffer(string: #"{"type":"x","account":"111111111111","region":"eu-west-1","data":[1,"#))
                == EnvelopeOrigin(account: Self.a1, region: "eu-west-1"))
    }

    @Test(arguments: [
        "", "{", "[]", "null", #"{"account":1,"region":true}"#, #"{"account":"11111\"1111111","region":"eu-west-1"}"#,
        #"{"account":"\#(String(repeating: "1", count: 65))","region":"x"}"#, #"{"account":"111111111111""#,
        #"{"account":"111111111111","region"}"#, #"{"data":\#(String(repeating: "[", count: 10_000))}"#,
        #"{"account":{"id":"111111111111"},"region":["eu-west-1"]}"#, "{\"account\":\"\u{1}\",\"region\":\"\u{0}\"}",
        #"{"type":"heartbeat\u0000","account":"","region":""}"#,
    ])
    func aHostileOrMalformedEnvelopeHasNoOriginAndPassesOnlyUnrestrictedReaders(text: String) {
        let origin = EnvelopeOrigin(envelope: ByteBuffer(string: text))
        #expect(origin.account == "" || origin.account == Self.a1)
        #expect(!origin.isHeartbeat)
        #expect(!TargetFilter(accounts: [Self.a1], regions: ["eu-west-1"]).allows(origin))
        #expect(TargetFilter.everything.allows(origin))
    }

    // MARK: What clients send

    @Test func theWebSocketSubscribeTakesAccountsAndRegions() {
        func parse(_ text: String) -> Result<ClientMessage, ClientProtocolError> { ClientMessage.parse(ByteBuffer(string: text)) }
        #expect(
            parse(#"{"op":"subscribe","stream":"aws-logs","accounts":["111111111111"],"regions":"eu-west-1,us-east-1"}"#)
                == .success(
                    .subscribe(
                        .logs, since: nil, targets: TargetFilter(accounts: [Self.a1], regions: ["eu-west-1", "us-east-1"]))))
        #expect(parse(#"{"op":"subscribe","stream":"aws-logs","accounts":"*"}"#) == .success(.subscribe(.logs, since: nil)))
        #expect(parse(#"{"op":"subscribe","stream":"aws-logs"}"#) == .success(.subscribe(.logs, since: nil)))
        #expect(parse(#"{"op":"subscribe","stream":"aws-logs","accounts":["nope"]}"#).failureValue?.code == "bad-request")
        #expect(parse(#"{"op":"subscribe","stream":"aws-logs","regions":[]}"#).failureValue?.code == "bad-request")
        #expect(parse(#"{"op":"subscribe","stream":"aws-logs","accounts":[1]}"#) == .failure(.badJSON))
    }

    @Test func theSocketIOSubscribePayloadTakesAccountsAndRegions() throws {
        func targets(_ json: String?) -> Result<TargetFilter, ClientProtocolError> {
            let argument = json.map { try? JSONDocument.parse($0.utf8) } ?? nil
            return SocketIOClient<InProcessSubscriber>.requestedTargets(in: argument)
        }
        // The NestJS front ends' payloads: nothing asked.
        #expect(targets(nil) == .success(.everything))
        #expect(targets(#"{"interval":5000}"#) == .success(.everything))
        #expect(targets(#""x""#) == .success(.everything))
        #expect(targets(#"{"accounts":null}"#) == .success(.everything))
        #expect(
            targets(#"{"accounts":["111111111111"],"regions":"eu-west-1"}"#)
                == .success(TargetFilter(accounts: [Self.a1], regions: ["eu-west-1"])))
        #expect(targets(#"{"accounts":[1]}"#).failureValue?.code == "bad-request")
        #expect(targets(#"{"regions":{"a":1}}"#).failureValue?.code == "bad-request")
        #expect(targets(#"{"regions":["EU"]}"#).failureValue?.code == "bad-request")
    }

    // MARK: Claims

    struct ListClaims: JWTPayload {
        var exp = GatewaySecurityUnitTests.now.timeIntervalSince1970 + 600
        var streams = ["*"]
        var accounts: [String]?
        var regions: [String]?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// The claims as one comma-separated string each.
    struct StringClaims: JWTPayload {
        var exp = GatewaySecurityUnitTests.now.timeIntervalSince1970 + 600
        var streams = "*"
        var accounts = "111111111111, 222222222222"
        var regions = "*"
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static func sign(_ claims: some JWTPayload) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: testSecret), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    @Test func tokensCarryAccountsAndRegionsClaims() async throws {
        let authenticator = try await GatewaySecurityUnitTests.authenticator()
        func grant(accounts: [String]?, regions: [String]?) async throws -> Result<GatewayGrant, AuthenticationFailure> {
            await authenticator.authenticate(token: try await Self.sign(ListClaims(accounts: accounts, regions: regions)))
        }
        // Absent: every account and region (the tokens issued before them keep working).
        #expect(try await grant(accounts: nil, regions: nil).get().targets == .everything)
        #expect(try await grant(accounts: ["*"], regions: ["*"]).get().targets == .everything)
        #expect(
            try await grant(accounts: [Self.a1], regions: ["eu-west-1"]).get().targets
                == TargetFilter(accounts: [Self.a1], regions: ["eu-west-1"]))
        let bad = try await grant(accounts: ["123"], regions: nil)
        #expect(bad.failureValue?.reason.hasPrefix("token accounts claim:") == true)
        let badRegion = try await grant(accounts: nil, regions: ["Not A Region"])
        #expect(badRegion.failureValue?.reason.hasPrefix("token regions claim:") == true)
        #expect(try await grant(accounts: [], regions: nil).failureValue != nil)
        // The comma-separated form, as `streams` takes it.
        let strings = try await authenticator.authenticate(token: try await Self.sign(StringClaims())).get()
        #expect(strings.targets == TargetFilter(accounts: [Self.a1, Self.a2], regions: nil))
    }

    @Test func theSnapshotScanIsConfigurable() throws {
        func read(_ value: String) throws -> Int {
            try GatewayConfiguration.fromEnvironment(
                ["GATEWAY_SNAPSHOT_SCAN_ENTRIES": value], allowAnonymous: true, readFile: { _ in "" }
            ).limits.snapshotScanEntries
        }
        #expect(GatewayConfiguration().limits.snapshotScanEntries == 100)
        #expect(try read("400") == 400)
        #expect(try read("99999999") == 10_000)
        #expect(throws: GatewayError.self) { try read("0") }
        #expect(throws: GatewayError.self) { try read("lots") }
    }

    // MARK: The snapshot per target

    @Test func theSnapshotIsTheLatestOfEachTargetTheReaderSees() {
        // Oldest first: two accounts x two regions, a state for one target, a global one.
        let history = [
            Self.message(1, account: Self.a1, region: "eu-west-1"),
            Self.message(2, account: Self.a1, region: "us-east-1"),
            Self.message(3, account: Self.a2, region: "eu-west-1"),
            Self.message(4, account: Self.a2, region: "us-east-1"),
            Self.message(5, account: Self.a1, region: "eu-west-1"),
            Self.message(6, account: Self.a2, region: "us-east-1", type: "stream-state"),
            Self.message(7, account: Self.a2, region: "eu-west-1"),
            Self.message(8, account: "", region: ""),
        ]
        let newestFirst = Array(history.reversed())
        func ids(_ messages: [BusMessage]) -> [UInt64] { messages.map(\.id.milliseconds) }

        let everything = StreamSnapshot(newestFirst: newestFirst, filter: nil)
        #expect(ids(everything.messages) == [2, 4, 5, 6, 7, 8])
        #expect(ids(everything.data) == [2, 4, 5, 7, 8])
        #expect(everything.newestData?.id.milliseconds == 8)
        #expect(ids(everything.states) == [6])
        #expect(everything.position?.milliseconds == 8)

        let one = StreamSnapshot(newestFirst: newestFirst, filter: TargetFilter(accounts: [Self.a1], regions: nil))
        #expect(ids(one.messages) == [2, 5])
        #expect(one.position?.milliseconds == 8)
        let region = StreamSnapshot(newestFirst: newestFirst, filter: TargetFilter(accounts: nil, regions: ["us-east-1"]))
        #expect(ids(region.messages) == [2, 4, 6])
        #expect(ids(region.states) == [6])
        let none = StreamSnapshot(newestFirst: newestFirst, filter: TargetFilter(accounts: ["333333333333"], regions: nil))
        #expect(none.messages.isEmpty && none.position?.milliseconds == 8)
        #expect(StreamSnapshot(newestFirst: [], filter: nil).position == nil)
    }

    // MARK: The relay

    /// Connections 1, 2, 3 (`all` without a filter, `a1` account 1, `eu` eu-west-1) live on
    /// aws-metrics, subscribed in the bus at 5.
    static func liveMachine() -> GatewayHubStateMachineTests.Machine {
        let tests = GatewayHubStateMachineTests()
        var machine = tests.machine()
        let filters: [(String, TargetFilter?)] = [
            ("all", nil), ("a1", TargetFilter(accounts: [a1], regions: nil)),
            ("eu", TargetFilter(accounts: nil, regions: ["eu-west-1"])),
        ]
        for (number, (name, filter)) in filters.enumerated() {
            let id = tests.connection(UInt64(number + 1))
            #expect(machine.admit(id, name) == true)
            _ = machine.subscribe(id, name, to: [.metrics], heldLimit: 4, filter: filter)
            if machine.nextBusAction() == .subscribe(.metrics) {
                var sink = GatewayHubStateMachineTests.Recorder()
                _ = machine.subscribed(.metrics, latest: tests.id(5), now: tests.t0, into: &sink)
            }
            guard case .live = machine.goLive(id, at: [(.metrics, tests.id(5))]) else {
                Issue.record("\(name) did not go live")
                return machine
            }
        }
        return machine
    }

    /// 6 to 11: account 1 and 2 in eu-west-1, us-east-1 and global, a heartbeat, a state.
    static let mixed = [
        message(6, account: a1, region: "eu-west-1"), message(7, account: a2, region: "eu-west-1"),
        message(8, account: a1, region: "us-east-1"), message(9, account: a2, region: "global"),
        message(10, account: a2, region: "us-east-1", type: "heartbeat"),
        message(11, account: a2, region: "us-east-1", type: "stream-state"),
    ]

    static func received(_ name: String, in sink: GatewayHubStateMachineTests.Recorder) -> [String] {
        sink.deliveries.filter { $0.hasPrefix("\(name):") }.map { String($0.dropFirst(name.count + 1)) }
    }

    static func expectFiltered(_ sink: GatewayHubStateMachineTests.Recorder) {
        #expect(received("all", in: sink) == ["6-0", "7-0", "8-0", "9-0", "10-0", "11-0"])
        #expect(received("a1", in: sink) == ["6-0", "8-0", "10-0"])
        #expect(received("eu", in: sink) == ["6-0", "7-0", "9-0", "10-0"])
    }

    @Test func theHubRelaysEachMessageToTheSubscribersWhoseFilterLetsItThrough() {
        var machine = Self.liveMachine()
        var sink = GatewayHubStateMachineTests.Recorder()
        for message in Self.mixed { _ = machine.receive(message, now: GatewayHubStateMachineTests().t0, into: &sink) }
        Self.expectFiltered(sink)
    }

    /// After a bus gap (a Redis reconnect) the history read back goes through the same filters.
    @Test func theHistoryReadBackAfterAGapIsFilteredToo() {
        let t0 = GatewayHubStateMachineTests().t0
        var machine = Self.liveMachine()
        _ = machine.busReportedGap(now: t0)
        var sink = GatewayHubStateMachineTests.Recorder()
        // 11 comes live while the history is read: it waits, then goes through the filters too.
        #expect(machine.receive(Self.mixed[5], now: t0, into: &sink) == .buffered)
        #expect(machine.historyRead(.metrics, page: Array(Self.mixed[0...2]), now: t0, into: &sink) == .reading)
        #expect(machine.historyRead(.metrics, page: Array(Self.mixed[3...4]), now: t0, into: &sink) == .recovered(count: 5))
        Self.expectFiltered(sink)
    }

    /// A subscriber caught up while its other streams are not holds only what its filter lets through.
    @Test func heldMessagesAreFiltered() {
        let tests = GatewayHubStateMachineTests()
        var machine = Self.liveMachine()
        let id = tests.connection(9)
        #expect(machine.admit(id, "late") == true)
        _ = machine.subscribe(
            id, "late", to: [.metrics, .logs], heldLimit: 8, filter: TargetFilter(accounts: [Self.a2], regions: nil))
        var sink = GatewayHubStateMachineTests.Recorder()
        #expect(machine.nextBusAction() == .subscribe(.logs))
        _ = machine.subscribed(.logs, latest: tests.id(20), now: tests.t0, into: &sink)
        // metrics caught up at 5, logs behind (at 0 of 20): metrics holds its live messages.
        guard case .catchUp = machine.goLive(id, at: [(.metrics, tests.id(5)), (.logs, .zero)]) else {
            Issue.record("went live before logs caught up")
            return
        }
        for message in Self.mixed { _ = machine.receive(message, now: tests.t0, into: &sink) }
        let held = machine.stream(.metrics)?.starting[id]?.held.map(\.id.description)
        #expect(held == ["7-0", "9-0", "10-0", "11-0"])
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
