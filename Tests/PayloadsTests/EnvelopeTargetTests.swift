import Payloads
import Testing

@Suite struct EnvelopeTargetTests {
    @Test(arguments: ["eu-west-1", "us-gov-west-1", "eu-isoe-west-1", "ap-southeast-5", "il-central-1", "cn-north-1"])
    func regionNamesAreAccepted(_ name: String) {
        #expect(EnvelopeTarget.isRegionName(name))
    }

    @Test(arguments: [
        "", "global", "EU-WEST-1", "eu-west", "eu-west-100", "eu--1", "-eu-west-1", "eu-west-1-", "eu-west-1a", "eu-wést-1",
        "a-b-c-d-e-1", String(repeating: "a", count: 30) + "-b-1",
    ])
    func anythingElseIsNotARegionName(_ name: String) {
        #expect(!EnvelopeTarget.isRegionName(name))
    }

    @Test func accountIDsAreTwelveDigits() {
        #expect(EnvelopeTarget.isAccountID("123456789012"))
        #expect(!EnvelopeTarget.isAccountID("12345678901") && !EnvelopeTarget.isAccountID("1234567890123"))
        #expect(!EnvelopeTarget.isAccountID("12345678901a") && !EnvelopeTarget.isAccountID("１23456789012"))
    }
}
