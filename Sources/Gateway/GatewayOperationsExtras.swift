/// What a process that runs more than the gateway adds to its operations endpoints: `standalone`
/// runs the worker beside it, whose metrics belong in `/metrics` and whose readiness in `/ready`.
public struct GatewayOperationsExtras: Sendable {
    /// More Prometheus text, appended to the gateway's.
    public var metricsText: @Sendable () -> String
    /// Why the rest of the process is not ready (empty: ready).
    public var readinessProblems: @Sendable () async -> [String]

    public init(
        metricsText: @escaping @Sendable () -> String, readinessProblems: @escaping @Sendable () async -> [String]
    ) {
        self.metricsText = metricsText
        self.readinessProblems = readinessProblems
    }

    /// The gateway alone.
    public static let none = GatewayOperationsExtras(metricsText: { "" }, readinessProblems: { [] })
}
