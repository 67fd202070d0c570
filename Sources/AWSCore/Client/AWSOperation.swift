/// Every AWS operation the project's code calls, with how IAM authorizes it: the catalog the
/// service clients, the credential chain and the worker build their requests from
/// (``AWSClient/operationRequest(_:input:)``, ``AWSClient/call(_:input:signing:)``), and the list
/// `iam/worker-policy.json` is tested against.
///
/// A new call starts with a new case here; the policy test then fails until the policy grants its
/// ``iamAction`` (or the case says why no identity policy is involved). The string forms of the
/// `AWSClient` methods remain for `aws-realtime call`, which sends whatever operation the operator
/// names, and for tests that seed emulators.
public enum AWSOperation: CaseIterable, Sendable, Hashable {
    /// `aws-metrics`: discovers the metrics to poll.
    case cloudWatchListMetrics
    /// `aws-metrics`: the data points, 500 queries a request.
    case cloudWatchGetMetricData
    /// `aws-logs`: the events of the configured log groups.
    case cloudWatchLogsFilterLogEvents
    /// `aws-activity`: CloudTrail management events.
    case cloudTrailLookupEvents
    /// `aws-costs`: month-to-date cost.
    case costExplorerGetCostAndUsage
    /// `aws-costs`: the month's forecast (`forecast: true`, the default).
    case costExplorerGetCostForecast
    /// `aws-security`: Security Hub findings.
    case securityHubGetFindings
    /// `aws-health`: AWS Health events.
    case healthDescribeEvents
    /// `aws-health` with `organizationView`: the organization's events, from the management
    /// account or Health's delegated administrator.
    case healthDescribeEventsForOrganization
    /// `aws-health` with `organizationView`: the member accounts an account-specific event affects.
    case healthDescribeAffectedAccountsForOrganization
    /// The worker learns the account id it stamps on envelopes when the file names none.
    case stsGetCallerIdentity
    /// The credential chain: a shared-config profile's `role_arn` with `source_profile`.
    case stsAssumeRole
    /// The credential chain: `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` (EKS IRSA).
    case stsAssumeRoleWithWebIdentity
    /// The credential chain: a shared-config profile of IAM Identity Center (`sso_session` or
    /// `sso_start_url`) exchanges the cached `aws sso login` token for the role's credentials.
    case ssoGetRoleCredentials

    /// The service the operation belongs to.
    public var service: AWSService {
        switch self {
        case .cloudWatchListMetrics, .cloudWatchGetMetricData: .cloudWatch
        case .cloudWatchLogsFilterLogEvents: .cloudWatchLogs
        case .cloudTrailLookupEvents: .cloudTrail
        case .costExplorerGetCostAndUsage, .costExplorerGetCostForecast: .costExplorer
        case .securityHubGetFindings: .securityHub
        case .healthDescribeEvents, .healthDescribeEventsForOrganization, .healthDescribeAffectedAccountsForOrganization:
            .health
        case .stsGetCallerIdentity, .stsAssumeRole, .stsAssumeRoleWithWebIdentity: .sts
        case .ssoGetRoleCredentials: .ssoPortal
        }
    }

    /// The operation's name as the API reference writes it: the query protocol's `Action`, the
    /// JSON protocol's `X-Amz-Target` suffix, the REST-JSON binding's key.
    public var name: String {
        switch self {
        case .cloudWatchListMetrics: "ListMetrics"
        case .cloudWatchGetMetricData: "GetMetricData"
        case .cloudWatchLogsFilterLogEvents: "FilterLogEvents"
        case .cloudTrailLookupEvents: "LookupEvents"
        case .costExplorerGetCostAndUsage: "GetCostAndUsage"
        case .costExplorerGetCostForecast: "GetCostForecast"
        case .securityHubGetFindings: "GetFindings"
        case .healthDescribeEvents: "DescribeEvents"
        case .healthDescribeEventsForOrganization: "DescribeEventsForOrganization"
        case .healthDescribeAffectedAccountsForOrganization: "DescribeAffectedAccountsForOrganization"
        case .stsGetCallerIdentity: "GetCallerIdentity"
        case .stsAssumeRole: "AssumeRole"
        case .stsAssumeRoleWithWebIdentity: "AssumeRoleWithWebIdentity"
        case .ssoGetRoleCredentials: "GetRoleCredentials"
        }
    }

    /// The IAM action, `<service prefix>:<name>` (`cloudwatch:GetMetricData`). For every service
    /// here the IAM service prefix is the AWS CLI's name of the service (CloudWatch signs as
    /// `monitoring` but authorizes as `cloudwatch`).
    public var iamAction: String {
        "\(service.cliName):\(name)"
    }

    /// How IAM decides whether the caller may make this call.
    public var authorization: Authorization {
        switch self {
        case .stsGetCallerIdentity: .always
        case .stsAssumeRoleWithWebIdentity: .trustPolicy
        case .ssoGetRoleCredentials: .identityCenterAssignment
        default: .callerPolicy
        }
    }
}

extension AWSOperation {
    /// Whose policy allows an operation.
    public enum Authorization: Sendable, Hashable {
        /// The calling identity's policy must allow ``AWSOperation/iamAction``: for the worker, its
        /// role's policies (`iam/worker-policy.json`; `iam/worker-targets-policy.json` for
        /// `sts:AssumeRole` into the reader role of each account it polls, whose own policy is
        /// `iam/target-role-policy.json`). For a shared-config profile's `role_arn`, the caller of
        /// `sts:AssumeRole` is the profile's `source_profile` identity, and its policy must allow it.
        case callerPolicy
        /// The call is unsigned (the web identity token authenticates it): the role's trust policy
        /// alone decides (`iam/worker-trust-policy-irsa.json`).
        case trustPolicy
        /// The call carries an IAM Identity Center access token instead of a signature: the user's
        /// permission set assignment to the account decides (`sso_account_id`, `sso_role_name`).
        case identityCenterAssignment
        /// AWS allows it to every identity, even against an explicit deny (`GetCallerIdentity`).
        case always
    }
}
