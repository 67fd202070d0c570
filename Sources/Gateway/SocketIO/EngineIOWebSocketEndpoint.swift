import Bus
import NIOCore

/// An Engine.IO session's WebSocket, served from its channel pipeline: either a session that
/// starts on the WebSocket (`transport=websocket` without `sid`), or a long-polling session's
/// upgrade (`2probe` -> `3probe`, then `5`; anything else, or no `5` within `upgradeTimeout`,
/// abandons the upgrade and the session stays on long-polling).
///
/// Once serving, text frames are Engine.IO packets for the session (`EngineIOSession.receive`),
/// and a close the session asks for closes the socket with its code and reason.
final class EngineIOWebSocketEndpoint<Source: SubscriberBus>: WebSocketEndpoint {
    enum Start {
        /// A new session on this WebSocket.
        case newSession(handshakeToken: String?, address: ClientAddress)
        /// A long-polling session probing this WebSocket.
        case upgrade(EngineIOSession<Source>)
    }

    private enum State {
        case starting
        case awaitingProbe(EngineIOSession<Source>)
        case awaitingUpgrade(EngineIOSession<Source>)
        case serving(EngineIOSession<Source>)
        case finished
    }

    private let server: EngineIOServer<Source>
    private let start: Start
    private var state = State.starting
    private var upgradeTimer: Scheduled<Void>?

    init(server: EngineIOServer<Source>, start: Start) {
        self.server = server
        self.start = start
    }

    func opened(_ link: WebSocketLink) {
        switch start {
        case .newSession(let handshakeToken, let address):
            let session: EngineIOSession<Source>
            switch server.start(delivery: .channel(link.channel), handshakeToken: handshakeToken, address: address) {
            case .success(let started):
                session = started
            case .failure(let error):
                state = .finished
                link.close(CloseReason(code: .unknown(1013), text: error.message))
                return
            }
            state = .serving(session)
            link.follow(session.connection)
            session.connection.send(session.openPacket(upgrades: []))
        case .upgrade(let session):
            state = .awaitingProbe(session)
            // A probe that stalls is cut: closing the socket abandons the upgrade (`closed`).
            let channel = link.channel
            upgradeTimer = link.eventLoop.scheduleTask(in: TimeAmount(server.hub.configuration.socketIO.upgradeTimeout)) {
                channel.close(promise: nil)
            }
        }
    }

    func received(_ message: WebSocketMessage, _ link: WebSocketLink) {
        switch (state, message) {
        case (.serving(let session), .text(let text)):
            // False: the session closed itself (its close comes back through the connection).
            _ = session.receive(text: Substring(String(buffer: text)))
        case (.serving(let session), .binary):
            _ = session.receiveBinary()
        case (.awaitingProbe(let session), .text(let text)) where String(buffer: text) == "2probe" && session.beginUpgrade():
            state = .awaitingUpgrade(session)
            link.sendText("3probe")
        case (.awaitingUpgrade(let session), .text(let text)) where String(buffer: text) == "5":
            upgradeTimer?.cancel()
            upgradeTimer = nil
            state = .serving(session)
            session.completeUpgrade(to: link.channel)
            link.follow(session.connection)
        case (.awaitingProbe(let session), _), (.awaitingUpgrade(let session), _):
            abandon(session)
            link.close(CloseReason(code: .normalClosure, text: "upgrade not completed"))
        case (.starting, _), (.finished, _):
            break
        }
    }

    func closed() {
        upgradeTimer?.cancel()
        upgradeTimer = nil
        switch state {
        case .serving(let session):
            // The client went away: the session is over (a close already under way keeps its reason).
            session.close(.clientClosed)
        case .awaitingProbe(let session), .awaitingUpgrade(let session):
            session.abandonUpgrade()
        case .starting, .finished:
            break
        }
        state = .finished
    }

    private func abandon(_ session: EngineIOSession<Source>) {
        upgradeTimer?.cancel()
        upgradeTimer = nil
        session.abandonUpgrade()
        state = .finished
    }
}
