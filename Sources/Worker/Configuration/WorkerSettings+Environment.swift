import SocketIOEmitter

extension WorkerSettings {
    /// The variable that turns the Socket.IO emitter copy on or off over the file's
    /// `socketIOEmitter.enabled` (for deployments that set variables more easily than files).
    public static let socketIOEmitterVariable = "SOCKETIO_EMITTER"

    /// Applies the environment's overrides of the file: `SOCKETIO_EMITTER` (`true` or `false`).
    /// An empty variable counts as unset.
    public mutating func applyEnvironment(_ environment: [String: String]) throws(ConfigurationError) {
        if let text = environment[Self.socketIOEmitterVariable], !text.isEmpty {
            switch text.lowercased() {
            case "true", "1", "yes", "on": socketIOEmitter.isEnabled = true
            case "false", "0", "no", "off": socketIOEmitter.isEnabled = false
            default:
                throw ConfigurationError(key: Self.socketIOEmitterVariable, reason: "expected true or false, not '\(text)'")
            }
        }
    }
}
