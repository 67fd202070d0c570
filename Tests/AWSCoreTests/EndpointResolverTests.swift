import Testing

@testable import AWSCore

@Suite struct EndpointResolverTests {
    @Test func regionalEndpoint() throws {
        let endpoint = try AWSEndpointResolver(environment: [:]).endpoint(for: .cloudWatch, region: "eu-west-1")
        #expect(endpoint.baseURL == "https://monitoring.eu-west-1.amazonaws.com")
        #expect(endpoint.host == "monitoring.eu-west-1.amazonaws.com")
        #expect(endpoint.signingRegion == "eu-west-1")
    }

    @Test func chinaRegionUsesTheChinaSuffix() throws {
        let endpoint = try AWSEndpointResolver(environment: [:]).endpoint(for: .cloudWatchLogs, region: "cn-north-1")
        #expect(endpoint.baseURL == "https://logs.cn-north-1.amazonaws.com.cn")
    }

    @Test(arguments: [
        ("eu-west-1", "https://ce.us-east-1.amazonaws.com", "us-east-1"),
        ("cn-north-1", "https://ce.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"),
    ])
    func globalServicesUseThePartitionEndpoint(region: String, url: String, signingRegion: String) throws {
        let endpoint = try AWSEndpointResolver(environment: [:]).endpoint(for: .costExplorer, region: region)
        #expect(endpoint.baseURL == url)
        #expect(endpoint.signingRegion == signingRegion)
        let health = try AWSEndpointResolver(environment: [:]).endpoint(for: .health, region: region)
        #expect(health.signingRegion == signingRegion)
    }

    @Test func serviceSpecificOverrideWinsOverGlobalOverride() throws {
        let resolver = AWSEndpointResolver(environment: [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
            "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://localhost:9000/prefix/",
            "AWS_ENDPOINT_URL_COST_EXPLORER": "https://ce.example.test:443",
        ])
        let logs = try resolver.endpoint(for: .cloudWatchLogs, region: "eu-west-1")
        #expect(logs.baseURL == "http://localhost:9000/prefix")
        #expect(logs.pathPrefix == "/prefix")
        #expect(logs.signingRegion == "eu-west-1")
        let cloudWatch = try resolver.endpoint(for: .cloudWatch, region: "eu-west-1")
        #expect(cloudWatch.baseURL == "http://127.0.0.1:4566")
        #expect(cloudWatch.host == "127.0.0.1:4566")
        let costs = try resolver.endpoint(for: .costExplorer, region: "eu-west-1")
        #expect(costs.host == "ce.example.test")
        #expect(costs.signingRegion == "us-east-1")
    }

    @Test func overridesCanBeIgnored() throws {
        let resolver = AWSEndpointResolver(environment: [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
        ])
        #expect(try resolver.endpoint(for: .sts, region: "eu-west-1").baseURL == "https://sts.eu-west-1.amazonaws.com")
    }

    @Test(arguments: ["ftp://example.com", "http://user:pw@example.com", "http://example.com/?x=1", "127.0.0.1:4566", "http://"])
    func badOverrideNamesTheVariable(value: String) {
        let resolver = AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL_STS": value])
        #expect {
            try resolver.endpoint(for: .sts, region: "eu-west-1")
        } throws: { error in
            guard let error = error as? AWSError else { return false }
            return error.kind == .configuration && error.configurationKey == "AWS_ENDPOINT_URL_STS"
                && !error.description.contains("pw")
        }
    }

    @Test func endpointVariableNamesFollowTheServiceID() {
        #expect(AWSService.cloudWatch.endpointEnvironmentVariable == "AWS_ENDPOINT_URL_CLOUDWATCH")
        #expect(AWSService.cloudWatchLogs.endpointEnvironmentVariable == "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS")
        #expect(AWSService.costExplorer.endpointEnvironmentVariable == "AWS_ENDPOINT_URL_COST_EXPLORER")
        #expect(AWSService.securityHub.endpointEnvironmentVariable == "AWS_ENDPOINT_URL_SECURITYHUB")
        #expect(AWSService.health.endpointEnvironmentVariable == "AWS_ENDPOINT_URL_HEALTH")
    }
}

@Suite struct RegionTests {
    @Test func regionComesFromAWSRegionThenDefaultRegion() throws {
        #expect(
            try AWSRegion.resolve(environment: ["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"]) == "eu-west-1")
        #expect(try AWSRegion.resolve(environment: ["AWS_DEFAULT_REGION": "us-east-2"]) == "us-east-2")
        #expect(try AWSRegion.resolve(explicit: "ap-south-1", environment: ["AWS_REGION": "eu-west-1"]) == "ap-south-1")
        #expect(try AWSRegion.resolve(environment: [:], profileRegion: "us-gov-west-1") == "us-gov-west-1")
    }

    @Test func missingRegionNamesTheVariable() {
        #expect {
            try AWSRegion.resolve(environment: [:])
        } throws: { ($0 as? AWSError)?.configurationKey == "AWS_REGION" }
    }

    @Test(arguments: ["eu-west-1.evil.com", "EU-WEST-1", "eu west 1", "", "x", "eu--1"])
    func invalidRegionIsRefused(region: String) {
        #expect(!AWSRegion.isValid(region))
    }
}
