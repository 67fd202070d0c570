import Testing

@testable import TextFormats

@Suite struct AWSIdentifierSyntaxTests {
    @Test func iamRoleARNsGiveTheirAccountAndName() throws {
        let role = try #require(AWSIdentifierSyntax.iamRole(arn: "arn:aws:iam::210987654321:role/team/aws-realtime-reader"))
        #expect(role.account == "210987654321" && role.name == "aws-realtime-reader")
        #expect(AWSIdentifierSyntax.iamRole(arn: "arn:aws-us-gov:iam::111111111111:role/r+=,.@-_")?.name == "r+=,.@-_")
        #expect(AWSIdentifierSyntax.iamRole(arn: "arn:aws-cn:iam::111111111111:role/r")?.account == "111111111111")
    }

    @Test(arguments: [
        "", "arn:aws:iam::111111111111:role/", "arn:aws:iam::111111111111:role/r/", "arn:aws:iam::11111111111:role/r",
        "arn:aws:iam::111111111111:user/r", "arn:aws:sts::111111111111:assumed-role/r/s", "arn:other:iam::111111111111:role/r",
        "arn:aws:iam:eu-west-1:111111111111:role/r", "arn:aws:iam::111111111111:role/r b", "arn:aws:iam::111111111111:role/ré",
        "arn:aws:iam::111111111111:role/" + String(repeating: "r", count: 508),
    ])
    func anythingElseIsNoIAMRole(_ arn: String) {
        #expect(AWSIdentifierSyntax.iamRole(arn: arn) == nil)
    }

    @Test func aRoleResourceOf512BytesIsTaken() {
        #expect(AWSIdentifierSyntax.iamRole(arn: "arn:aws:iam::111111111111:role/" + String(repeating: "r", count: 507)) != nil)
    }

    @Test func sessionNamesAreTwoToSixtyFourOfSTSCharacters() {
        for name in ["ab", "a+b", "under_score", "x=y,z.w@v-u", String(repeating: "n", count: 64)] {
            #expect(AWSIdentifierSyntax.isRoleSessionName(name), "\(name)")
        }
        for name in ["", "a", String(repeating: "n", count: 65), "a b", "a/b", "a:b", "é1"] {
            #expect(!AWSIdentifierSyntax.isRoleSessionName(name), "\(name)")
        }
    }

    @Test func externalIDsAlsoTakeSlashAndColon() {
        #expect(AWSIdentifierSyntax.isExternalID("tenant:42/prod+x_y"))
        #expect(AWSIdentifierSyntax.isExternalID(String(repeating: "e", count: 1224)))
        #expect(!AWSIdentifierSyntax.isExternalID("e"))
        #expect(!AWSIdentifierSyntax.isExternalID(String(repeating: "e", count: 1225)))
        #expect(!AWSIdentifierSyntax.isExternalID("a b"))
    }
}
