import AWSCore
import Logging

/// What a service client holds: the HTTP client (transport, endpoints, retries), the usage
/// counter, the rate budgets every request first takes a token of, the page limit and the
/// logger.
public struct AWSServiceCore: Sendable {
    public let client: AWSClient
    public let usage: AWSUsageCounter
    public let budgets: AWSRateBudgets
    public var pagination: AWSPaginationLimits
    let logger: Logger
}

/// A client of one AWS API over an ``AWSServiceCore``: a client type holds its core and adds
/// only its operations.
public protocol AWSServiceCoreClient: Sendable {
    var core: AWSServiceCore { get set }
    init(core: AWSServiceCore)
}

extension AWSServiceCoreClient {
    public init(
        client: AWSClient, usage: AWSUsageCounter = AWSUsageCounter(), budgets: AWSRateBudgets = .unlimited,
        pagination: AWSPaginationLimits = .default, logger: Logger
    ) {
        self.init(core: AWSServiceCore(client: client, usage: usage, budgets: budgets, pagination: pagination, logger: logger))
    }

    public var client: AWSClient { core.client }
    public var usage: AWSUsageCounter { core.usage }
    public var budgets: AWSRateBudgets { core.budgets }
    public var pagination: AWSPaginationLimits {
        get { core.pagination }
        set { core.pagination = newValue }
    }
    var logger: Logger { core.logger }
}
