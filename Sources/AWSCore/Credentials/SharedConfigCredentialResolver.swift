import SigV4

/// Turns a shared-config profile into a provider, in the SDKs' order of precedence: `role_arn`
/// (with `web_identity_token_file`, `source_profile` or `credential_source`), then IAM Identity
/// Center (`sso_session` or `sso_start_url`), then `credential_process`, then static keys. A profile used as a `source_profile` offers its static
/// keys first, which lets a profile name itself as its source.
struct SharedConfigCredentialResolver: Sendable {
    let config: AWSSharedConfig
    let factory: CredentialSourceFactory

    /// The selected profile's provider, a reason to skip it, or why it is broken.
    func resolve() -> CredentialChainOutcome {
        let name = config.profileName
        guard config.profiles[name] != nil else {
            var reason = "profile \(name) not found in \(config.credentialsFileName) or \(config.configFileName)"
            if !config.problems.isEmpty { reason += " (\(config.problems.joined(separator: "; ")))" }
            return .skipped(reason)
        }
        do {
            guard let provider = try provider(for: name, path: [], isSource: false) else {
                return .skipped("profile \(name) has no credentials")
            }
            return .found(provider)
        } catch {
            return .failed(error)
        }
    }

    private func provider(for name: String, path: [String], isSource: Bool) throws(AWSError) -> (any CredentialProvider)? {
        guard let properties = config.profiles[name] else {
            throw failure(
                "source_profile \(name) of profile \(path.last ?? name) not found in \(config.credentialsFileName) or \(config.configFileName)"
            )
        }
        if isSource, let credentials = try staticCredentials(properties, profile: name) {
            return StaticCredentialProvider(credentials)
        }
        guard !path.contains(name) else {
            throw failure("source_profile loop: \((path + [name]).joined(separator: " -> "))")
        }
        if let roleARN = nonEmpty(properties["role_arn"]) {
            return try assumeRole(roleARN, properties: properties, profile: name, path: path)
        }
        if properties.keys.contains(where: { $0.hasPrefix("sso_") }) {
            let profile = try SSOProfile.read(
                profile: name, properties: properties, sessions: config.ssoSessions, configFileName: config.configFileName)
            return try factory.sso(profile)
        }
        if let command = nonEmpty(properties["credential_process"]) {
            return factory.process(command: command)
        }
        if let credentials = try staticCredentials(properties, profile: name) {
            return StaticCredentialProvider(credentials)
        }
        return nil
    }

    private func assumeRole(_ roleARN: String, properties: [String: String], profile name: String, path: [String])
        throws(AWSError) -> any CredentialProvider
    {
        if nonEmpty(properties["mfa_serial"]) != nil {
            throw failure(
                "profile \(name) sets mfa_serial: assuming a role with MFA needs a prompt, which a server cannot answer")
        }
        let sessionName = nonEmpty(properties["role_session_name"])
        if let tokenFile = nonEmpty(properties["web_identity_token_file"]) {
            return factory.webIdentity(tokenFile: tokenFile, roleARN: roleARN, sessionName: sessionName)
        }
        let base: any CredentialProvider
        if let sourceProfile = nonEmpty(properties["source_profile"]) {
            guard let source = try provider(for: sourceProfile, path: path + [name], isSource: true) else {
                throw failure("source_profile \(sourceProfile) of profile \(name) has no credentials")
            }
            base = source
        } else if let credentialSource = nonEmpty(properties["credential_source"]) {
            base = try self.credentialSource(credentialSource, profile: name)
        } else {
            throw failure("profile \(name) sets role_arn but neither source_profile nor credential_source")
        }
        var duration: Int?
        if let text = nonEmpty(properties["duration_seconds"]) {
            guard let seconds = Int(text), seconds > 0 else {
                throw failure("duration_seconds of profile \(name) is not a whole number of seconds: '\(text)'")
            }
            duration = seconds
        }
        return factory.assumeRole(
            roleARN: roleARN, sessionName: sessionName, externalID: nonEmpty(properties["external_id"]),
            durationSeconds: duration, source: base)
    }

    private func credentialSource(_ value: String, profile name: String) throws(AWSError) -> any CredentialProvider {
        switch value {
        case "Environment":
            let provider = EnvironmentCredentialProvider(environment: factory.environment)
            guard provider.isAvailable else {
                throw failure(
                    "profile \(name) sets credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set"
                )
            }
            return provider
        case "Ec2InstanceMetadata":
            return factory.refreshing(factory.instanceMetadata())
        case "EcsContainer":
            guard let source = try factory.container() else {
                throw failure(
                    "profile \(name) sets credential_source = EcsContainer, but AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set"
                )
            }
            return factory.refreshing(source)
        default:
            throw failure(
                "credential_source of profile \(name) must be Environment, Ec2InstanceMetadata or EcsContainer, not '\(value)'")
        }
    }

    private func staticCredentials(_ properties: [String: String], profile name: String) throws(AWSError) -> AWSCredentials? {
        let accessKey = nonEmpty(properties["aws_access_key_id"])
        let secret = nonEmpty(properties["aws_secret_access_key"])
        switch (accessKey, secret) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw failure("profile \(name) has aws_access_key_id but no aws_secret_access_key")
        case (nil, .some):
            throw failure("profile \(name) has aws_secret_access_key but no aws_access_key_id")
        case (.some(let accessKey), .some(let secret)):
            return AWSCredentials(
                accessKeyID: accessKey, secretAccessKey: secret, sessionToken: nonEmpty(properties["aws_session_token"]))
        }
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private func failure(_ message: String) -> AWSError {
        AWSError(kind: .credentials, message: message)
    }
}
