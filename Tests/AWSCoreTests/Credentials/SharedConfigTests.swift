import AWSCore
import Foundation
import Testing

/// Parsing and merging of `~/.aws/credentials` and `~/.aws/config`: no network.
@Suite struct SharedConfigTests {
    @Test func parsesProfilesCommentsAndMergesBothFiles() async throws {
        try await withTemporaryDirectory { directory in
            try write(
                """
                # a comment
                [default]
                aws_access_key_id = AKIDDEFAULT ; an inline comment
                aws_secret_access_key=secret#with-hash
                [work]
                AWS_ACCESS_KEY_ID = AKIDWORK
                aws_secret_access_key = work-secret
                region = us-west-2
                """, to: directory + "/credentials")
            try write(
                """
                ; config comment
                [default]
                region = eu-west-1
                output = json
                [profile work]
                region = eu-north-1
                s3 =
                  max_concurrent_requests = 10
                [sso-session corp]
                sso_region = us-east-1
                [notaprofile]
                region = ap-south-1
                """, to: directory + "/config")
            let environment = [
                "HOME": directory, "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials",
                "AWS_CONFIG_FILE": directory + "/config",
            ]
            let config = AWSSharedConfig.load(environment: environment)
            #expect(config.profileName == "default")
            #expect(config.region == "eu-west-1")
            #expect(config.profile?["aws_access_key_id"] == "AKIDDEFAULT")
            #expect(config.profile?["aws_secret_access_key"] == "secret#with-hash")
            #expect(config.profiles["work"]?["aws_access_key_id"] == "AKIDWORK")
            // The credentials file wins for a key set in both.
            #expect(config.profiles["work"]?["region"] == "us-west-2")
            #expect(config.profiles["work"]?["s3"] == "")
            #expect(config.profiles["work"]?["max_concurrent_requests"] == nil)
            #expect(config.profiles["corp"] == nil)
            #expect(config.ssoSessions == ["corp": ["sso_region": "us-east-1"]])
            #expect(config.profiles["notaprofile"] == nil)
            #expect(config.problems.isEmpty)
        }
    }

    @Test func profileDefaultWinsOverDefault() async throws {
        try await withTemporaryDirectory { directory in
            try write("[profile default]\nregion = us-east-2\n[default]\nregion = eu-west-3\n", to: directory + "/config")
            let config = AWSSharedConfig.load(environment: ["HOME": directory, "AWS_CONFIG_FILE": directory + "/config"])
            #expect(config.region == "us-east-2")
        }
    }

    @Test func homeLocatesTheDefaultFilesAndAWSProfileSelects() async throws {
        try await withTemporaryDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory + "/.aws", withIntermediateDirectories: true)
            try write("[profile ops]\nregion = ap-southeast-2\n", to: directory + "/.aws/config")
            let config = AWSSharedConfig.load(environment: ["HOME": directory, "AWS_PROFILE": "ops"])
            #expect(config.profileName == "ops")
            #expect(config.region == "ap-southeast-2")
            #expect(config.credentialsFileName == "~/.aws/credentials")
            // Without HOME nothing is read and nothing crashes.
            let homeless = AWSSharedConfig.load(environment: ["AWS_PROFILE": "ops"])
            #expect(homeless.profile == nil)
            #expect(homeless.problems.count == 2)
        }
    }

    @Test func profileRegionFeedsRegionResolution() throws {
        let config = AWSSharedConfig(profileName: "default", profiles: ["default": ["region": "eu-central-1"]])
        #expect(try AWSRegion.resolve(environment: [:], profileRegion: config.region) == "eu-central-1")
        #expect(try AWSRegion.resolve(environment: ["AWS_REGION": "us-east-1"], profileRegion: config.region) == "us-east-1")
    }
}
