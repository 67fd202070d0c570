import Bus
import NIOCore
import Payloads
import Testing

@testable import Gateway

/// The hub's state machine as a plain value: subscribers are names, waiters numbers, deliveries
/// `name:id` strings. No sockets, no bus, no sleeps.
struct GatewayHubStateMachineTests {
    typealias Machine = GatewayHubStateMachine<String, Int>

    /// Records what the machine relays, in order.
    struct Recorder: GatewayHubRelaySink {
        var relayed: [String] = []
        var deliveries: [String] = []
        var positions: [StreamPositions] = []
        private var current = ""

        mutating func relay(_ message: BusMessage, positions: StreamPositions) {
            current = message.id.description
            relayed.append(current)
            self.positions.append(positions)
        }

        mutating func deliver(to subscriber: String) {
            deliveries.append("\(subscriber):\(current)")
        }

        mutating func tellToResync(_ subscriber: String, about stream: StreamName) {
            deliveries.append("\(subscriber):resync \(stream)")
        }
    }

    let t0 = ContinuousClock().now

    func machine(bufferLimit: Int = 1_000, maxRecoveryMessages: Int = 10_000, maxConnections: Int = 10) -> Machine {
        Machine(
            configuration: .init(
                admission: .init(maxConnections: maxConnections, maxPendingHandshakes: 2, maxPendingHandshakesPerAddress: 1),
                silenceLimit: .seconds(45), recoveryTimeout: .seconds(30), maxRecoveryMessages: maxRecoveryMessages,
                historyPageSize: 3, bufferLimit: bufferLimit),
            now: t0)
    }

    func id(_ milliseconds: UInt64) -> BusMessageID { BusMessageID(milliseconds: milliseconds, sequence: 0) }

    func message(_ milliseconds: UInt64, on stream: StreamName = .metrics) -> BusMessage {
        BusMessage(stream: stream, id: id(milliseconds), envelope: ByteBuffer(string: "{}"))
    }

    func messages(_ range: ClosedRange<UInt64>, on stream: StreamName = .metrics) -> [BusMessage] {
        range.map { message($0, on: stream) }
    }

    func connection(_ value: UInt64) -> ConnectionID { ConnectionID(value: value) }

    func at(_ seconds: Int) -> ContinuousClock.Instant { t0.advanced(by: .seconds(seconds)) }

    func phase(_ machine: Machine, _ stream: StreamName = .metrics) -> Machine.StreamState.Phase? {
        machine.stream(stream)?.phase
    }

    /// `name` (connection `number`) subscribed to `stream`, subscribed in the bus at `latest`,
    /// caught up and live.
    func goLive(
        _ machine: inout Machine, _ name: String, _ number: UInt64, on stream: StreamName = .metrics, latest: UInt64 = 5
    ) {
        if machine.connections[connection(number)] == nil { #expect(machine.admit(connection(number), name) == true) }
        _ = machine.subscribe(connection(number), name, to: [stream], heldLimit: 4)
        if machine.nextBusAction() == .subscribe(stream) {
            var sink = Recorder()
            _ = machine.subscribed(stream, latest: id(latest), now: t0, into: &sink)
        }
        guard case .live(let held) = machine.goLive(connection(number), at: [(stream, id(latest))]) else {
            Issue.record("\(name) did not go live")
            return
        }
        #expect(held.isEmpty)
    }

    // MARK: Demand: bus subscribe and unsubscribe

    @Test func aFirstSubscriberWakesTheWorkerToSubscribeInTheBus() {
        var machine = machine()
        #expect(machine.nextBusAction() == nil)
        #expect(machine.parkWorker(7) == true)
        #expect(machine.admit(connection(1), "alice") == true)
        #expect(machine.subscribe(connection(1), "alice", to: [.metrics], heldLimit: 4) == [7])
        #expect(machine.nextBusAction() == .subscribe(.metrics))
        #expect(phase(machine) == .subscribing)
        // Nothing more to do while it subscribes: the worker would park.
        #expect(machine.nextBusAction() == nil)
        #expect(!machine.isSubscribedInBus(.metrics))
    }

    @Test func aSecondSubscriberNeedsNoBusCall() {
        var machine = machine()
        goLive(&machine, "alice", 1)
        #expect(machine.parkWorker(7) == true)
        #expect(machine.admit(connection(2), "bob") == true)
        #expect(machine.subscribe(connection(2), "bob", to: [.metrics], heldLimit: 4) == [])
        #expect(machine.nextBusAction() == nil)
    }

    @Test func subscribedSetsTheBaselineAndResumesItsWaiters() {
        var machine = machine()
        let first = machine.makeWaiterID()
        let second = machine.makeWaiterID()
        #expect(machine.waitUntilSubscribed(.metrics, id: first, waiter: 1) == false)
        #expect(machine.waitUntilSubscribed(.logs, id: second, waiter: 2) == false)
        _ = machine.subscribe(connection(1), "alice", to: [.metrics], heldLimit: 4)
        #expect(machine.nextBusAction() == .subscribe(.metrics))
        var sink = Recorder()
        #expect(machine.subscribed(.metrics, latest: id(5), now: t0, into: &sink) == [1])
        #expect(phase(machine) == .live)
        #expect(machine.lastRelayed(of: .metrics) == id(5))
        #expect(machine.isSubscribedInBus(.metrics))
        #expect(machine.busSubscribedStreams() == [.metrics])
        #expect(machine.positions[.metrics] == id(5))
        // Subscribed already: no wait.
        #expect(machine.waitUntilSubscribed(.metrics, id: machine.makeWaiterID(), waiter: 3) == true)
        // The other stream's waiter times out: taken back.
        #expect(machine.cancelWait(second) == 2)
        #expect(machine.cancelWait(second) == nil)
    }

    @Test func aStreamWithNothingStoredStandsAtZeroForSSE() {
        var machine = machine()
        _ = machine.subscribe(connection(1), "alice", to: [.logs], heldLimit: 4)
        #expect(machine.nextBusAction() == .subscribe(.logs))
        var sink = Recorder()
        _ = machine.subscribed(.logs, latest: nil, now: t0, into: &sink)
        #expect(machine.lastRelayed(of: .logs) == nil)
        #expect(machine.positions[.logs] == .zero)
        #expect(machine.positions[.metrics] == nil)
    }

    @Test func aFailedSubscribeIsRetriedAtTheNextTickAndKeepsTheGatewayUnready() {
        var machine = machine()
        machine.isRunning = true
        #expect(machine.isReady)
        _ = machine.subscribe(connection(1), "alice", to: [.metrics], heldLimit: 4)
        #expect(machine.nextBusAction() == .subscribe(.metrics))
        machine.subscribeFailed(.metrics)
        #expect(phase(machine) == .subscribeFailed)
        #expect(!machine.isReady)
        #expect(machine.nextBusAction() == nil)
        #expect(machine.parkWorker(7) == true)
        #expect(machine.tick(now: at(1)) == [7])
        #expect(machine.nextBusAction() == .subscribe(.metrics))
        var sink = Recorder()
        _ = machine.subscribed(.metrics, latest: nil, now: at(1), into: &sink)
        #expect(machine.isReady)
    }

    @Test func aNewSubscriberRetriesAFailedSubscribeAtOnce() {
        var machine = machine()
        _ = machine.subscribe(connection(1), "alice", to: [.metrics], heldLimit: 4)
        _ = machine.nextBusAction()
        machine.subscribeFailed(.metrics)
        #expect(machine.parkWorker(7) == true)
        #expect(machine.subscribe(connection(2), "bob", to: [.metrics], heldLimit: 4) == [7])
        #expect(machine.nextBusAction() == .subscribe(.metrics))
    }

    @Test func aFailedSubscribeNobodyWantsAnyMoreIsForgotten() {
        var machine = machine()
        machine.isRunning = true
        _ = machine.subscribe(connection(1), "alice", to: [.metrics], heldLimit: 4)
        _ = machine.nextBusAction()
        machine.subscribeFailed(.metrics)
        _ = machine.remove(connection(1))
        _ = machine.tick(now: at(1))
        #expect(phase(machine) == .unsubscribed)
        #expect(machine.isReady)
        #expect(machine.nextBusAction() == nil)
    }

    @Test func theLastSubscriberLeavingUnsubscribesInTheBus() {
        var machine = machine()
        goLive(&machine, "alice", 1)
        goLive(&machine, "bob", 2)
        #expect(machine.parkWorker(7) == true)
        let first = machine.unsubscribe(connection(1), from: .metrics)
        #expect(first.isRemoved && first.wakeups.isEmpty)
        #expect(!machine.unsubscribe(connection(1), from: .metrics).isRemoved)
        #expect(machine.remove(connection(2)) == [7])
        #expect(machine.nextBusAction() == .unsubscribe(.metrics))
        #expect(phase(machine) == .unsubscribing)
        #expect(machine.positions[.metrics] == nil)
        machine.unsubscribed(.metrics)
        #expect(phase(machine) == .unsubscribed)
        #expect(machine.lastRelayed(of: .metrics) == nil)
        #expect(machine.nextBusAction() == nil)
    }

    @Test func aSubscriberArrivingWhileUnsubscribingSubscribesAgain() {
        var machine = machine()
        goLive(&machine, "alice", 1)
        _ = machine.remove(connection(1))
        #expect(machine.nextBusAction() == .unsubscribe(.metrics))
        _ = machine.subscribe(connection(2), "bob", to: [.metrics], heldLimit: 4)
        // Messages after the unsubscribe was sent are not relayed.
        var sink = Recorder()
        #expect(machine.receive(message(6), now: t0, into: &sink) == .dropped)
        machine.unsubscribed(.metrics)
        #expect(machine.nextBusAction() == .subscribe(.metrics))
    }

    @Test func everySubscriberLeavingWhileSubscribingUnsubscribesAfter() {
        var machine = machine()
        _ = machine.subscribe(connection(1), "alice", to: [.metrics], heldLimit: 4)
        #expect(machine.nextBusAction() == .subscribe(.metrics))
        _ = machine.remove(connection(1))
        var sink = Recorder()
        _ = machine.subscribed(.metrics, latest: id(5), now: t0, into: &sink)
        #expect(machine.nextBusAction() == .unsubscribe(.metrics))
    }

    // MARK: Relay

    @Test func liveMessagesGoToLiveSubscribersOnceInOrder() {
        var machine = machine()
        goLive(&machine, "alice", 1)
        goLive(&machine, "bob", 2)
        var sink = Recorder()
        #expect(machine.receive(message(6), now: t0, into: &sink) == .relayed)
        #expect(machine.receive(message(6), now: t0, into: &sink) == .duplicate)
        #expect(machine.receive(message(4), now: t0, into: &sink) == .duplicate)
        #expect(machine.receive(message(7), now: t0, into: &sink) == .relayed)
        #expect(sink.relayed == ["6-0", "7-0"])
        #expect(Set(sink.deliveries) == ["alice:6-0", "bob:6-0", "alice:7-0", "bob:7-0"])
        #expect(machine.lastRelayed(of: .metrics) == id(7))
        #expect(machine.positions[.metrics] == id(7))
    }

    @Test func aMessageWithoutSubscribersAdvancesTheLastRelayedIDOnly() {
        var machine = machine()
        goLive(&machine, "alice", 1)
        _ = machine.remove(connection(1))
        var sink = Recorder()
        #expect(machine.receive(message(6), now: t0, into: &sink) == .relayed)
        #expect(sink.relayed.isEmpty)
        #expect(machine.lastRelayed(of: .metrics) == id(6))
    }

    @Test func sseSubscribersGetEveryBusSubscribedStreamsPosition() {
        var machine = machine()
        goLive(&machine, "alice", 1, on: .metrics, latest: 5)
        goLive(&machine, "bob", 2, on: .logs, latest: 9)
        var sink = Recorder()
        _ = machine.receive(message(6), now: t0, into: &sink)
        #expect(sink.positions.first?[.logs] == id(9))
        #expect(sink.positions.first?[.costs] == nil)
    }

    // MARK: A new subscriber's way to live

    @Test func aCatchingUpSubscriberGetsNoLiveMessagesAndGoesLiveAtTheLastRelayedID() {
        var machine = machine()
        goLive(&machine, "alice", 1)
        _ = machine.subscribe(connection(2), "bob", to: [.metrics], heldLimit: 4)
        #expect(machine.isCatchingUp(connection(2), in: .metrics))
        var sink = Recorder()
        _ = machine.receive(message(6), now: t0, into: &sink)
        #expect(sink.deliveries == ["alice:6-0"])
        // Bob read history up to 5: behind.
        guard case .catchUp = machine.goLive(connection(2), at: [(.metrics, id(5))]) else {
            Issue.record("went live behind the last relayed id")
            return
        }
        guard case .live(let held) = machine.goLive(connection(2), at: [(.metrics, id(6))]) else {
            Issue.record("did not go live")
            return
        }
        #expect(held.isEmpty)
        #expect(!machine.isCatchingUp(connection(2), in: .metrics))
        _ = machine.receive(message(7), now: t0, into: &sink)
        #expect(Set(sink.deliveries.dropFirst()) == ["alice:7-0", "bob:7-0"])
    }

    @Test func aStreamCaughtUpFirstHoldsItsLiveMessagesUntilTheOthersAre() {
        var machine = machine()
        goLive(&machine, "alice", 1, on: .metrics, latest: 5)
        goLive(&machine, "alice", 1, on: .logs, latest: 20)
        _ = machine.subscribe(connection(2), "bob", to: [.metrics, .logs], heldLimit: 4)
        var sink = Recorder()
        _ = machine.receive(message(21, on: .logs), now: t0, into: &sink)
        // Metrics is caught up (at 5), logs is not (at 20, relayed 21): metrics holds.
        guard case .catchUp = machine.goLive(connection(2), at: [(.metrics, id(5)), (.logs, id(20))]) else {
            Issue.record("went live behind")
            return
        }
        #expect(!machine.isCatchingUp(connection(2), in: .metrics))
        #expect(machine.isCatchingUp(connection(2), in: .logs))
        _ = machine.receive(message(6), now: t0, into: &sink)
        _ = machine.receive(message(7), now: t0, into: &sink)
        #expect(!sink.deliveries.contains { $0.hasPrefix("bob") })
        guard case .live(let held) = machine.goLive(connection(2), at: [(.metrics, id(5)), (.logs, id(21))]) else {
            Issue.record("did not go live")
            return
        }
        #expect(held.map(\.id) == [id(6), id(7)])
        _ = machine.receive(message(8), now: t0, into: &sink)
        #expect(Set(sink.deliveries.suffix(2)) == ["alice:8-0", "bob:8-0"])
    }

    @Test func aSubscriberHoldingTooManyMessagesCatchesUpFromHistoryAgain() {
        var machine = machine()
        goLive(&machine, "alice", 1, on: .metrics, latest: 5)
        goLive(&machine, "alice", 1, on: .logs, latest: 20)
        _ = machine.subscribe(connection(2), "bob", to: [.metrics, .logs], heldLimit: 2)
        var sink = Recorder()
        _ = machine.receive(message(21, on: .logs), now: t0, into: &sink)
        _ = machine.goLive(connection(2), at: [(.metrics, id(5)), (.logs, id(20))])
        for message in messages(6...8) { _ = machine.receive(message, now: t0, into: &sink) }
        #expect(machine.isCatchingUp(connection(2), in: .metrics))
    }

    @Test func abandoningForgetsOnlyTheSubscriptionsNotLive() {
        var machine = machine()
        goLive(&machine, "alice", 1, on: .metrics)
        _ = machine.subscribe(connection(1), "alice", to: [.logs], heldLimit: 4)
        #expect(machine.parkWorker(7) == false)
        #expect(machine.nextBusAction() == .subscribe(.logs))
        #expect(machine.parkWorker(7) == true)
        _ = machine.abandon(connection(1), [.metrics, .logs])
        #expect(machine.subscriptionCounts()[.metrics] == 1)
        #expect(machine.subscriptionCounts()[.logs] == 0)
        #expect(machine.nextBusAction() == nil)
    }

    // MARK: Recovery after a gap

    @Test func aGapRecoversEveryLiveStreamFromItsLastRelayedID() {
        var machine = machine()
        machine.isRunning = true
        goLive(&machine, "alice", 1, on: .metrics, latest: 5)
        goLive(&machine, "bob", 2, on: .logs, latest: 0)
        #expect(machine.parkWorker(7) == true)
        #expect(machine.busReportedGap(now: t0) == [7])
        #expect(!machine.isReady)
        #expect(machine.nextBusAction() == .readHistory(.metrics, after: id(5), limit: 3))
        var sink = Recorder()
        #expect(machine.historyRead(.metrics, page: messages(6...8), now: t0, into: &sink) == .reading)
        #expect(machine.nextBusAction() == .readHistory(.metrics, after: id(8), limit: 3))
        #expect(machine.historyRead(.metrics, page: messages(9...9), now: t0, into: &sink) == .recovered(count: 4))
        #expect(phase(machine) == .live)
        #expect(sink.deliveries == ["alice:6-0", "alice:7-0", "alice:8-0", "alice:9-0"])
        #expect(machine.nextBusAction() == .readHistory(.logs, after: id(0), limit: 3))
        #expect(machine.historyRead(.logs, page: [], now: t0, into: &sink) == .recovered(count: 0))
        #expect(machine.isReady)
        #expect(machine.nextBusAction() == nil)
    }

    @Test func aStreamWithNoHistoryWhenSubscribedRecoversFromTheLogsStart() {
        var machine = machine()
        _ = machine.subscribe(connection(1), "alice", to: [.metrics], heldLimit: 4)
        _ = machine.nextBusAction()
        var sink = Recorder()
        _ = machine.subscribed(.metrics, latest: nil, now: t0, into: &sink)
        _ = machine.busReportedGap(now: t0)
        #expect(machine.nextBusAction() == .readHistory(.metrics, after: nil, limit: 3))
    }

    /// The race of 64f209e's kind for gaps: a live message that comes while the history is read
    /// waits, and is relayed after what was read, once.
    @Test func aLiveMessageDuringAHistoryReadWaitsForIt() {
        var machine = machine()
        goLive(&machine, "alice", 1)
        _ = machine.busReportedGap(now: t0)
        #expect(machine.nextBusAction() == .readHistory(.metrics, after: id(5), limit: 3))
        var sink = Recorder()
        // 9 comes live while the read of 6... is under way; 8 is in both.
        #expect(machine.receive(message(8), now: t0, into: &sink) == .buffered)
        #expect(machine.receive(message(9), now: t0, into: &sink) == .buffered)
        #expect(sink.deliveries.isEmpty)
        #expect(machine.lastRelayed(of: .metrics) == id(5))
        #expect(machine.historyRead(.metrics, page: messages(6...8), now: t0, into: &sink) == .reading)
        #expect(machine.historyRead(.metrics, page: [], now: t0, into: &sink) == .recovered(count: 3))
        #expect(sink.deliveries == ["alice:6-0", "alice:7-0", "alice:8-0", "alice:9-0"])
        #expect(machine.receive(message(10), now: t0, into: &sink) == .relayed)
    }

    @Test func aFullBufferIsReadBackFromHistoryInstead() {
        var machine = machine(bufferLimit: 2)
        goLive(&machine, "alice", 1)
        _ = machine.busReportedGap(now: t0)
        _ = machine.nextBusAction()
        var sink = Recorder()
        for message in messages(7...10) { _ = machine.receive(message, now: t0, into: &sink) }
        #expect(machine.historyRead(.metrics, page: messages(6...6), now: t0, into: &sink) == .reading)
        // The buffer overflowed: another pass reads what it dropped.
        #expect(machine.nextBusAction() == .readHistory(.metrics, after: id(6), limit: 3))
        #expect(machine.historyRead(.metrics, page: messages(7...9), now: t0, into: &sink) == .reading)
        #expect(machine.historyRead(.metrics, page: messages(10...10), now: t0, into: &sink) == .recovered(count: 4))
        #expect(sink.deliveries == (6...10).map { "alice:\($0)-0" })
    }

    /// The race 61e8c82 fixed: after a Redis restart the history read fails until the command
    /// connection is back, and the pub/sub connection can reconnect (another gap) meanwhile. Live
    /// messages wait throughout; the read is retried with backoff and read again after the
    /// second gap; nothing is lost, nothing repeated.
    @Test func aReconnectWhileRecoveringReadsAgainAndLosesNothing() {
        var machine = machine()
        goLive(&machine, "alice", 1)
        _ = machine.busReportedGap(now: t0)
        #expect(machine.nextBusAction() == .readHistory(.metrics, after: id(5), limit: 3))
        var sink = Recorder()
        guard case .retry(let first) = machine.recoveryReadFailed(.metrics, now: t0, into: &sink),
            case .retry(let second) = machine.recoveryReadFailed(.metrics, now: t0, into: &sink)
        else {
            Issue.record("gave up")
            return
        }
        #expect(first == .milliseconds(50))
        #expect(second == .milliseconds(100))
        // The pub/sub connection comes back: another gap, then live messages.
        _ = machine.busReportedGap(now: at(1))
        #expect(machine.receive(message(12), now: at(1), into: &sink) == .buffered)
        #expect(machine.nextBusAction() == .readHistory(.metrics, after: id(5), limit: 3))
        // The read works now but ran before 9...11 were stored.
        #expect(machine.historyRead(.metrics, page: messages(6...8), now: at(1), into: &sink) == .reading)
        #expect(machine.historyRead(.metrics, page: [], now: at(1), into: &sink) == .reading)
        #expect(sink.deliveries == ["alice:6-0", "alice:7-0", "alice:8-0"])
        // The second pass, for the second gap.
        #expect(machine.nextBusAction() == .readHistory(.metrics, after: id(8), limit: 3))
        #expect(machine.historyRead(.metrics, page: messages(9...11), now: at(2), into: &sink) == .reading)
        #expect(machine.historyRead(.metrics, page: messages(12...12), now: at(2), into: &sink) == .recovered(count: 4))
        #expect(sink.deliveries == (6...12).map { "alice:\($0)-0" })
        #expect(phase(machine) == .live)
    }

    @Test func retriesBackOffUpToASecondThenGiveUpAndTellSubscribersToResync() {
        var machine = machine()
        machine.isRunning = true
        goLive(&machine, "alice", 1)
        _ = machine.subscribe(connection(2), "bob", to: [.metrics], heldLimit: 4)
        _ = machine.busReportedGap(now: t0)
        _ = machine.nextBusAction()
        var sink = Recorder()
        _ = machine.receive(message(9), now: t0, into: &sink)
        var delays: [Duration] = []
        for _ in 0..<7 {
            guard case .retry(let delay) = machine.recoveryReadFailed(.metrics, now: at(29), into: &sink) else { break }
            delays.append(delay)
        }
        #expect(delays == [50, 100, 200, 400, 800, 1000, 1000].map { Duration.milliseconds($0) })
        #expect(!machine.isReady)
        guard case .gaveUp = machine.recoveryReadFailed(.metrics, now: at(30), into: &sink) else {
            Issue.record("did not give up")
            return
        }
        // Bob is still catching up: he reads history himself. Alice is told before what waited.
        #expect(sink.deliveries == ["alice:resync aws-metrics", "alice:9-0"])
        #expect(phase(machine) == .live)
        #expect(machine.isReady)
    }

    @Test func moreMissedThanIsReplayedSkipsToTheLatestAndTellsSubscribersToResync() {
        var machine = machine(maxRecoveryMessages: 4)
        goLive(&machine, "alice", 1)
        _ = machine.busReportedGap(now: t0)
        var sink = Recorder()
        #expect(machine.nextBusAction() == .readHistory(.metrics, after: id(5), limit: 3))
        #expect(machine.historyRead(.metrics, page: messages(6...8), now: t0, into: &sink) == .reading)
        #expect(machine.nextBusAction() == .readHistory(.metrics, after: id(8), limit: 1))
        #expect(machine.historyRead(.metrics, page: messages(9...9), now: t0, into: &sink) == .reading)
        #expect(machine.nextBusAction() == .readLatest(.metrics))
        _ = machine.receive(message(30), now: t0, into: &sink)
        machine.skippedToLatest(.metrics, latest: id(29), now: t0, into: &sink)
        #expect(machine.lastRelayed(of: .metrics) == id(30))
        #expect(
            sink.deliveries == ["alice:6-0", "alice:7-0", "alice:8-0", "alice:9-0", "alice:resync aws-metrics", "alice:30-0"])
        #expect(phase(machine) == .live)
    }

    @Test func aGapWhileSubscribingRecoversBeforeGoingLive() {
        var machine = machine()
        _ = machine.subscribe(connection(1), "alice", to: [.metrics], heldLimit: 4)
        _ = machine.nextBusAction()
        var sink = Recorder()
        _ = machine.receive(message(4), now: t0, into: &sink)
        _ = machine.busReportedGap(now: t0)
        let waiter = machine.makeWaiterID()
        #expect(machine.waitUntilSubscribed(.metrics, id: waiter, waiter: 3) == false)
        #expect(machine.subscribed(.metrics, latest: id(5), now: t0, into: &sink) == [3])
        #expect(machine.nextBusAction() == .readHistory(.metrics, after: id(5), limit: 3))
    }

    @Test func messagesThatCameWhileSubscribingAreRelayedPastTheBaseline() {
        var machine = machine()
        _ = machine.admit(connection(1), "alice")
        _ = machine.subscribe(connection(1), "alice", to: [.metrics], heldLimit: 4)
        _ = machine.nextBusAction()
        var sink = Recorder()
        #expect(machine.receive(message(5), now: t0, into: &sink) == .buffered)
        #expect(machine.receive(message(6), now: t0, into: &sink) == .buffered)
        _ = machine.subscribed(.metrics, latest: id(5), now: t0, into: &sink)
        // 5 is in the snapshot the subscriber gets; 6 is relayed (to nobody live yet).
        #expect(sink.relayed == ["6-0"])
        #expect(machine.lastRelayed(of: .metrics) == id(6))
    }

    // MARK: Silence

    /// The race 64f209e fixed: a silent stream is unsubscribed and subscribed again, and a live
    /// message right after the new subscribe must not be relayed before (and so hide) what was
    /// published while it was unsubscribed.
    @Test func aSilentStreamIsResubscribedAndItsLiveMessagesWaitForTheReadBack() {
        var machine = machine()
        goLive(&machine, "alice", 1)
        #expect(machine.parkWorker(7) == true)
        #expect(machine.tick(now: at(45)) == [])
        #expect(machine.tick(now: at(46)) == [7])
        #expect(phase(machine) == .resubscribing)
        #expect(machine.nextBusAction() == .resubscribe(.metrics))
        var sink = Recorder()
        // Right after the new subscribe, before the read-back.
        #expect(machine.receive(message(9), now: at(46), into: &sink) == .buffered)
        machine.resubscribed(.metrics, now: at(46))
        #expect(machine.nextBusAction() == .readHistory(.metrics, after: id(5), limit: 3))
        #expect(machine.historyRead(.metrics, page: messages(6...8), now: at(46), into: &sink) == .reading)
        #expect(machine.historyRead(.metrics, page: messages(9...9), now: at(46), into: &sink) == .recovered(count: 4))
        #expect(sink.deliveries == (6...9).map { "alice:\($0)-0" })
        // Silence is measured again from the resubscribe.
        #expect(machine.tick(now: at(90)) == [])
        #expect(phase(machine) == .live)
    }

    @Test func aStreamThatHearsMessagesOrHasNoSubscribersIsNotResubscribed() {
        var machine = machine()
        goLive(&machine, "alice", 1, on: .metrics)
        goLive(&machine, "bob", 2, on: .logs)
        var sink = Recorder()
        _ = machine.receive(message(6), now: at(40), into: &sink)
        _ = machine.unsubscribe(connection(2), from: .logs)
        _ = machine.tick(now: at(60))
        #expect(phase(machine, .metrics) == .live)
        #expect(phase(machine, .logs) == .live)
        #expect(machine.nextBusAction() == .unsubscribe(.logs))
    }

    // MARK: Connections and drain

    @Test func admissionCountsConnectionsAndRefusesWhileDraining() {
        var machine = machine(maxConnections: 1)
        #expect(machine.admit(connection(1), "alice") == true)
        #expect(machine.admit(connection(2), "bob") == false)
        #expect(!machine.hasCapacity)
        #expect(machine.admitPending(connection(3), "carol", from: .unknown) == nil)
        #expect(machine.pendingHandshakeCount == 1)
        #expect(machine.promote(connection(3)) == .connectionLimit)
        #expect(machine.connectionCount == 2)
        #expect(Set(machine.beginDrain()) == ["alice", "carol"])
        #expect(machine.admit(connection(4), "dave") == false)
        #expect(machine.admitPending(connection(4), "dave", from: .unknown) == .draining)
        #expect(machine.pendingRefusal(from: .unknown) == .draining)
        #expect(machine.promote(connection(3)) == .draining)
        machine.isRunning = true
        #expect(!machine.isReady)
    }

    @Test func drainWaitersAreResumedWhenTheLastConnectionGoes() {
        var machine = machine()
        _ = machine.admit(connection(1), "alice")
        _ = machine.admit(connection(2), "bob")
        _ = machine.beginDrain()
        let waiter = machine.makeWaiterID()
        #expect(machine.waitUntilDrained(id: waiter, waiter: 9) == false)
        #expect(machine.remove(connection(1)) == [])
        #expect(machine.remove(connection(2)) == [9])
        #expect(machine.cancelWait(waiter) == nil)
        #expect(machine.waitUntilDrained(id: machine.makeWaiterID(), waiter: 10) == true)
    }

    @Test func aTimedOutDrainWaiterIsTakenBack() {
        var machine = machine()
        _ = machine.admit(connection(1), "alice")
        let waiter = machine.makeWaiterID()
        #expect(machine.waitUntilDrained(id: waiter, waiter: 9) == false)
        #expect(machine.cancelWait(waiter) == 9)
        #expect(machine.remove(connection(1)) == [])
    }

    @Test func theWorkerParksOnlyWhenThereIsNothingToDo() {
        var machine = machine()
        _ = machine.subscribe(connection(1), "alice", to: [.metrics], heldLimit: 4)
        #expect(machine.parkWorker(7) == false)
        _ = machine.nextBusAction()
        #expect(machine.parkWorker(7) == true)
        #expect(machine.unparkWorker() == 7)
        #expect(machine.unparkWorker() == nil)
    }
}
