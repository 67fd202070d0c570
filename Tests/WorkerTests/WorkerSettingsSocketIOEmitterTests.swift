import Bus
import SocketIOEmitter
import Testing

@testable import Worker

/// `socketIOEmitter` in the worker's file and `SOCKETIO_EMITTER` in the environment.
@Suite struct WorkerSettingsSocketIOEmitterTests {
    @Test func offByDefaultAndShownByCheckConfig() throws {
        let settings = try WorkerSettings.parse(yaml: "")
        #expect(settings.socketIOEmitter == .disabled)
        #expect(
            settings.effectiveYAML.contains(
                "socketIOEmitter:\n  enabled: false\n  key: \"socket.io\"\n  namespace: \"/aws-realtime\"\n"))
    }

    @Test func theFileTurnsItOnAndNamesTheChannel() throws {
        let settings = try WorkerSettings.parse(yaml: "socketIOEmitter: {enabled: true, key: legacy, namespace: /live}")
        #expect(settings.socketIOEmitter == .enabled(key: "legacy", namespace: "/live"))
        #expect(settings.socketIOEmitter.channel == "legacy#/live#")
        // --check-config's output reads back the same.
        let again = try WorkerSettings.parse(yaml: settings.effectiveYAML)
        #expect(again.socketIOEmitter == settings.socketIOEmitter)
    }

    @Test(arguments: [
        ("socketIOEmitter: {enabled: maybe}", "socketIOEmitter.enabled"),
        ("socketIOEmitter: {namespace: aws-realtime}", "socketIOEmitter.namespace"),
        ("socketIOEmitter: {key: \"\"}", "socketIOEmitter.key"),
        ("socketIOEmitter: {channel: x}", "socketIOEmitter.channel"),
    ])
    func aBadValueNamesTheKey(yaml: String, key: String) {
        #expect {
            try WorkerSettings.parse(yaml: yaml)
        } throws: { error in
            (error as? ConfigurationError)?.key == key
        }
    }

    @Test func theEnvironmentOverridesEnabled() throws {
        var settings = try WorkerSettings.parse(yaml: "socketIOEmitter: {key: legacy}")
        try settings.applyEnvironment(["SOCKETIO_EMITTER": "true"])
        #expect(settings.socketIOEmitter == .enabled(key: "legacy"))
        try settings.applyEnvironment(["SOCKETIO_EMITTER": ""])
        #expect(settings.socketIOEmitter.isEnabled)
        try settings.applyEnvironment(["SOCKETIO_EMITTER": "false"])
        #expect(!settings.socketIOEmitter.isEnabled)
        #expect {
            try settings.applyEnvironment(["SOCKETIO_EMITTER": "sometimes"])
        } throws: { error in
            (error as? ConfigurationError)?.key == "SOCKETIO_EMITTER"
        }
    }
}
