import Redis
import Worker

/// The bus of a standalone instance: in-process unless `REDIS_URL` or `REDIS_HOST` names a
/// Redis, then the same Redis buses (and key prefix) as `worker` and `gateway`.
enum StandaloneBus: Sendable {
    case inProcess(historyLength: Int)
    case redis(RedisConfiguration, keyPrefix: String?, historyLength: Int)

    init(environment: [String: String], settings: WorkerSettings) throws {
        let isSet = { (key: String) in !(environment[key] ?? "").isEmpty }
        guard isSet("REDIS_URL") || isSet("REDIS_HOST") else {
            self = .inProcess(historyLength: settings.historyLength)
            return
        }
        let configuration = try RedisDeployment.configuration(environment: environment, settings: settings)
        let prefix = RedisDeployment.keyPrefix(environment: environment, file: settings.keyPrefix)
        self = .redis(configuration, keyPrefix: prefix, historyLength: settings.historyLength)
    }
}
