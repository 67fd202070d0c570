import AWSServices
import Foundation
import Hummingbird
import Logging
import Worker

/// The worker's operations endpoints: `/health` (alive), `/ready` (Redis reachable and, for the
/// leader, every stream recently polled), `/metrics` (Prometheus text).
struct WorkerOperationsServer {
    let application: Application<RouterResponder<BasicRequestContext>>

    init(
        worker: Worker, budgets: @escaping @Sendable () -> WorkerMetricsText.Budgets,
        isBusReachable: @escaping @Sendable () async -> Bool,
        host: String, port: Int,
        logger: Logger
    ) {
        let router = Router(context: BasicRequestContext.self)
        router.get("/health") { _, _ in
            Self.text("ok\n")
        }
        router.get("/ready") { _, _ in
            let snapshot = worker.statistics.snapshot
            let verdict = WorkerReadiness.evaluate(
                snapshot, configuration: worker.configuration, isBusReachable: await isBusReachable(),
                leaderSince: snapshot.leaderSince, now: Date().timeIntervalSince1970)
            let role = snapshot.isLeader ? "leader" : "standby"
            return verdict.isReady
                ? Self.text("ready (\(role))\n")
                : Self.text("not ready (\(role)): " + verdict.reasons.joined(separator: "; ") + "\n", status: .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            Self.text(
                WorkerMetricsText.render(
                    worker.statistics.snapshot, configuration: worker.configuration, budgets: budgets(),
                    now: Date().timeIntervalSince1970),
                contentType: "text/plain; version=0.0.4")
        }
        application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "aws-realtime-worker"),
            onServerRunning: { channel in
                logger.info("Operations endpoints listening", metadata: ["worker.port": "\(channel.localAddress?.port ?? 0)"])
            },
            logger: logger)
    }

    private static func text(_ body: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
