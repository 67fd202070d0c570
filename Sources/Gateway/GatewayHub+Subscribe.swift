import Bus
import NIOCore
import Payloads

/// A new subscriber's way to live delivery.
///
/// 1. Its subscription is registered (the bus subscribes the stream if it is the first) in
///    the catching-up phase: live messages are not queued to it.
/// 2. It begins: from its resume point (`since`, `Last-Event-ID`), or from the snapshot (the
///    latest data of each (account, region) the connection may see, and that target's state when
///    its newest entry is a `stream-state` envelope: ``StreamSnapshot``), and with `resync-required` first when the resume point is older than the
///    history kept. A resume needs nothing of the kind: states are stored in history like data,
///    so it delivers them in order with the rest.
/// 3. It catches up: the history after its position, up to the last id the hub relayed, is read
///    a page at a time and queued only as the socket drains (`enqueueWhenRoom`), so a resume of
///    any length never fills the queue. Every message the hub relays was stored before, so
///    nothing relayed meanwhile is missed. Past `limits.maxResumeMessages` (or when the log is
///    trimmed past its position while it is read) the client is told to resync and the stream
///    starts again from its snapshot.
/// Every message it is sent (snapshot, history, held, live) passes its ``TargetFilter``, if it has
/// one.
/// 4. It goes live under the hub lock, once its position has reached the last relayed id: no
///    message lost, none twice, in order. A subscriber of several streams at once (SSE) goes
///    live on all of them together: a stream caught up first holds its live messages (bounded)
///    until the others are, so that the positions an SSE event id carries are the ones its
///    client was sent.
extension GatewayHub {
    /// Where one stream of a subscribe starts: after `since` (a resume; `0-0`: everything stored),
    /// or from its snapshot when nil.
    struct StreamStart: Sendable {
        var stream: StreamName
        var since: BusMessageID?
    }

    /// Subscribes `connection` to `starts`' streams, which go live together (one for `/ws` and
    /// Socket.IO, several for SSE). Returns the streams that failed to start; the client was told
    /// why (`frames.refused`) and the others went on.
    ///
    /// Everything the client is sent alone, it is sent in `frames`' format: each stream's
    /// confirmation and snapshot (`subscribed`, once, before any message of the stream), history
    /// and held messages (`message`), `resync-required` (`notice`). Every message passes
    /// `targets`, the accounts and regions the connection sees (nil: everything).
    func subscribe<Frames: ClientSessionFrames>(
        _ connection: ClientOutbox, to starts: [StreamStart], targets: TargetFilter? = nil, frames: inout Frames
    ) async -> [StreamName] {
        let filter = targets?.orNilIfEverything
        let heldLimit = max(1, configuration.limits.maxQueuedMessages / 4 / max(1, starts.count))
        resume(
            state.withLock {
                $0.subscribe(connection.id, connection, to: starts.map(\.stream), heldLimit: heldLimit, filter: filter)
            })

        var failed: [StreamName] = []
        var cursors: [Cursor] = []
        for start in starts {
            do throws(StartFailure) {
                cursors.append(try await begin(start, filter: filter, connection: connection, frames: &frames))
            } catch {
                guard handle(error, of: start.stream, connection: connection, frames: &frames) else {
                    abandon(starts, connection: connection)
                    return starts.map(\.stream)
                }
                failed.append(start.stream)
            }
        }
        while !cursors.isEmpty {
            let catchingUp = state.withLock { machine in
                Set(cursors.map(\.stream).filter { machine.isCatchingUp(connection.id, in: $0) })
            }
            var index = 0
            while index < cursors.count {
                guard catchingUp.contains(cursors[index].stream) else {
                    index += 1
                    continue
                }
                do throws(StartFailure) {
                    try await catchUp(&cursors[index], connection: connection, frames: &frames)
                    index += 1
                } catch {
                    guard handle(error, of: cursors[index].stream, connection: connection, frames: &frames) else {
                        abandon(starts, connection: connection)
                        return starts.map(\.stream)
                    }
                    failed.append(cursors.remove(at: index).stream)
                }
            }
            if goLiveIfCaughtUp(cursors, connection: connection, frames: &frames) { break }
        }
        return failed
    }

    /// One stream's progress through its start, kept by the subscribing task.
    struct Cursor {
        let stream: StreamName
        /// The accounts and regions sent (nil: everything).
        let filter: TargetFilter?
        /// The last message read (sent, or passed over by the filter; `0-0`: none, and none was stored).
        var after: BusMessageID
        /// History messages sent since the start (or the last restart from the latest).
        var sent = 0
        var restarts = 0
    }

    enum StartFailure: Error {
        /// The client is told, and the stream's subscription removed.
        case client(ClientProtocolError)
        /// The connection closed (or the task was cancelled): nothing more to do.
        case closed
    }

    /// Waits for the bus subscription, then queues the stream's confirmation and snapshot; the
    /// cursor to catch up from.
    private func begin<Frames: ClientSessionFrames>(
        _ start: StreamStart, filter: TargetFilter?, connection: ClientOutbox, frames: inout Frames
    ) async throws(StartFailure) -> Cursor {
        let stream = start.stream
        do {
            try await waitUntilSubscribed(stream)
        } catch {
            throw .client(error)
        }
        return try await readingBus(stream) {
            if let since = start.since {
                let oldest = since == .zero ? nil : try await bus.oldestID(of: stream)
                if let oldest, since < oldest {
                    GatewayMetrics.add(metrics.resyncsRequired)
                    connection.send(frames.notice(.resyncRequired(stream)))
                } else {
                    connection.send(contentsOf: frames.subscribed(stream, snapshot: nil))
                    return Cursor(stream: stream, filter: filter, after: since)
                }
            }
            let snapshot = try await readSnapshot(of: stream, filter: filter)
            connection.send(contentsOf: frames.subscribed(stream, snapshot: snapshot.position == nil ? nil : snapshot))
            return Cursor(stream: stream, filter: filter, after: snapshot.position ?? .zero)
        }
    }

    /// Queues the history of the cursor's stream after its position, up to the last id relayed,
    /// a page at a time as the connection drains.
    private func catchUp<Frames: ClientSessionFrames>(
        _ cursor: inout Cursor, connection: ClientOutbox, frames: inout Frames
    ) async throws(StartFailure) {
        let stream = cursor.stream
        let limits = configuration.limits
        let pageSize = max(1, min(500, limits.maxQueuedMessages / 2))
        while true {
            if Task.isCancelled || !connection.isOpen { throw .closed }
            let relayed = state.withLock { $0.lastRelayed(of: stream) }
            guard let relayed, relayed > cursor.after else { return }
            let budget = limits.maxResumeMessages - cursor.sent
            guard budget > 0 else {
                try await restartFromLatest(&cursor, connection: connection, frames: &frames)
                continue
            }
            let after = cursor.after
            let (page, oldest) = try await readingBus(stream) {
                let page = try await bus.history(of: stream, after: after, limit: min(pageSize, budget))
                // Read after the page: a log trimmed past the position before the page was read shows.
                let oldest = after == .zero ? nil : try await bus.oldestID(of: stream)
                return (page, oldest)
            }
            if let oldest, oldest > after {
                try await restartFromLatest(&cursor, connection: connection, frames: &frames)
                continue
            }
            var sent = 0
            for message in page {
                // Later ones will be relayed: they come live.
                guard message.id <= relayed else { break }
                if cursor.filter?.allows(message.origin) ?? true {
                    guard await connection.enqueueWhenRoom(frames.message(message)) else { throw .closed }
                }
                // Read, sent or filtered out: both count against the budget (the work is the read).
                cursor.after = message.id
                cursor.sent += 1
                sent += 1
            }
            // What was relayed is no longer stored (the log was deleted): nothing more to read.
            if sent == 0 { cursor.after = max(cursor.after, relayed) }
        }
    }

    /// The resume is longer than `maxResumeMessages`, or its position was trimmed from history:
    /// the client is told to resync and is sent the snapshot (the latest data, and the state when
    /// the stream is not live), the stream's new start. A client that falls that far behind a
    /// second time cannot keep up: it is cut.
    private func restartFromLatest<Frames: ClientSessionFrames>(
        _ cursor: inout Cursor, connection: ClientOutbox, frames: inout Frames
    ) async throws(StartFailure) {
        let stream = cursor.stream
        cursor.restarts += 1
        guard cursor.restarts <= 1 else {
            GatewayMetrics.add(metrics.slowClientDisconnects)
            connection.requestClose(.slowConsumer)
            throw .closed
        }
        GatewayMetrics.add(metrics.resyncsRequired)
        connection.send(frames.notice(.resyncRequired(stream)))
        let filter = cursor.filter
        let snapshot = try await readingBus(stream) { try await readSnapshot(of: stream, filter: filter) }
        cursor.sent = 0
        cursor.after = .zero
        for message in snapshot.messages {
            guard await connection.enqueueWhenRoom(frames.message(message)) else { throw .closed }
            cursor.after = message.id
        }
        cursor.after = max(cursor.after, snapshot.position ?? .zero)
    }

    /// The snapshot of `stream` for a reader with `filter`: one read of its newest
    /// `limits.snapshotScanEntries` entries.
    private func readSnapshot(of stream: StreamName, filter: TargetFilter?) async throws -> StreamSnapshot {
        let entries = try await bus.latest(of: stream, count: configuration.limits.snapshotScanEntries)
        return StreamSnapshot(newestFirst: entries, filter: filter)
    }

    /// Under the hub lock: each caught-up stream (its position at the last relayed id) holds its
    /// live messages from now on; once all are, they go live together, their held messages
    /// queued first. False when some stream must catch up again.
    private func goLiveIfCaughtUp<Frames: ClientSessionFrames>(
        _ cursors: [Cursor], connection: ClientOutbox, frames: inout Frames
    ) -> Bool {
        var flushes = FlushBatches()
        let positions = cursors.map { (stream: $0.stream, after: $0.after) }
        let isLive = state.withLock { machine -> Bool in
            guard case .live(let held) = machine.goLive(connection.id, at: positions) else { return false }
            // Queued before the lock is released: the next live message comes after them.
            for message in held { flushes.enqueue(frames.message(message), to: connection) }
            if connection.format == .serverSentEvents {
                connection.setEventIDStreams(StreamSet(cursors.map(\.stream)))
            }
            return true
        }
        flushes.schedule(metrics: metrics)
        return isLive
    }

    /// Tells the client why `stream` failed (counted in `gateway_client_errors_total`) and
    /// forgets its subscription; false when the connection is gone and the whole subscribe should
    /// end.
    private func handle<Frames: ClientSessionFrames>(
        _ failure: StartFailure, of stream: StreamName, connection: ClientOutbox, frames: inout Frames
    ) -> Bool {
        resume(state.withLock { $0.unsubscribe(connection.id, from: stream).wakeups })
        switch failure {
        case .closed:
            return false
        case .client(let error):
            frames.refuse(error, on: connection, metrics: metrics)
            return true
        }
    }

    /// The connection went away mid-start: its subscriptions that are not live are forgotten.
    private func abandon(_ starts: [StreamStart], connection: ClientOutbox) {
        resume(state.withLock { $0.abandon(connection.id, starts.map(\.stream)) })
    }

    /// Runs a bus read; a failure is counted, logged and told to the client as `unavailable`.
    private func readingBus<Value>(_ stream: StreamName, _ read: () async throws -> Value) async throws(StartFailure)
        -> Value
    {
        do {
            return try await read()
        } catch {
            GatewayMetrics.add(metrics.busErrors)
            logger.warning("Bus read failed during subscribe", metadata: ["gateway.stream": "\(stream)", "error": "\(error)"])
            throw .client(.unavailable(stream))
        }
    }
}
