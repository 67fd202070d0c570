/// How the default chain's sources fetch and refresh. Every field has a default that serves a
/// first run.
public struct AWSCredentialChainConfiguration: Sendable {
    /// EC2 instance metadata: short, because on a machine without it every attempt is wasted.
    public struct InstanceMetadata: Sendable {
        /// Time allowed for each request (connect included).
        public var timeout: Duration
        /// Tries per request.
        public var attempts: Int

        public init(timeout: Duration = .seconds(1), attempts: Int = 2) {
            self.timeout = timeout
            self.attempts = attempts
        }
    }

    /// The ECS / EKS Pod Identity container endpoint.
    public struct Container: Sendable {
        public var timeout: Duration
        public var attempts: Int

        public init(timeout: Duration = .seconds(2), attempts: Int = 3) {
            self.timeout = timeout
            self.attempts = attempts
        }
    }

    /// A profile's `credential_process`.
    public struct CredentialProcess: Sendable {
        /// The command must exit within this time.
        public var timeout: Duration
        /// It must print at most this many bytes.
        public var maxOutputBytes: Int

        public init(timeout: Duration = .seconds(30), maxOutputBytes: Int = 64 * 1024) {
            self.timeout = timeout
            self.maxOutputBytes = maxOutputBytes
        }
    }

    /// When temporary credentials are refreshed.
    public var refresh: CredentialRefreshConfiguration
    /// Retries of the STS calls (`AssumeRole`, `AssumeRoleWithWebIdentity`).
    public var stsRetry: AWSRetryConfiguration
    public var instanceMetadata: InstanceMetadata
    public var container: Container
    public var credentialProcess: CredentialProcess

    public init(
        refresh: CredentialRefreshConfiguration = CredentialRefreshConfiguration(),
        stsRetry: AWSRetryConfiguration = AWSRetryConfiguration(),
        instanceMetadata: InstanceMetadata = InstanceMetadata(),
        container: Container = Container(),
        credentialProcess: CredentialProcess = CredentialProcess()
    ) {
        self.refresh = refresh
        self.stsRetry = stsRetry
        self.instanceMetadata = instanceMetadata
        self.container = container
        self.credentialProcess = credentialProcess
    }
}
