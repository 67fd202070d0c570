import Testing

@testable import AWSCore

@Suite struct QueryProtocolTests {
    @Test func flattensListsStructuresAndScalars() throws {
        let input = try JSONValue(
            parsing: """
                {"MetricDataQueries":[{"Id":"m1","MetricStat":{"Metric":{"Namespace":"AWS/EC2","MetricName":"CPUUtilization",
                "Dimensions":[{"Name":"InstanceId","Value":"i-1"}]},"Period":300,"Stat":"Average"},"ReturnData":true}],
                "StartTime":"2026-11-27T00:00:00Z","EndTime":"2026-11-27T01:00:00Z","ScanBy":null}
                """)
        let request = try QueryProtocol.request(
            service: .cloudWatch, apiVersion: "2010-08-01", operation: "GetMetricData", input: input)
        let body = String(decoding: request.body, as: UTF8.self)
        let fields = Set(body.split(separator: "&").map(String.init))
        #expect(
            fields == [
                "Action=GetMetricData", "Version=2010-08-01",
                "EndTime=2026-11-27T01%3A00%3A00Z", "StartTime=2026-11-27T00%3A00%3A00Z",
                "MetricDataQueries.member.1.Id=m1",
                "MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS%2FEC2",
                "MetricDataQueries.member.1.MetricStat.Metric.MetricName=CPUUtilization",
                "MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=InstanceId",
                "MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=i-1",
                "MetricDataQueries.member.1.MetricStat.Period=300",
                "MetricDataQueries.member.1.MetricStat.Stat=Average",
                "MetricDataQueries.member.1.ReturnData=true",
            ])
        #expect(body.hasPrefix("Action=GetMetricData&Version=2010-08-01&"))
        #expect(request.headers == [AWSHTTPHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")])
        #expect(request.method == "POST" && request.path == "/")
    }

    @Test func percentEncodesEverythingButUnreserved() {
        #expect(QueryProtocol.percentEncode("a b/c=d&e~f_g.h-i*ü") == "a%20b%2Fc%3Dd%26e~f_g.h-i%2A%C3%BC")
    }

    @Test func emptyListIsSentAsABareName() throws {
        var fields: [(String, String)] = []
        try QueryProtocol.flatten(.object(["Dimensions": .array([])]), prefix: "", into: &fields)
        #expect(fields.map { "\($0.0)=\($0.1)" } == ["Dimensions="])
    }

    @Test func decodesTheResultElement() throws {
        let json = try QueryProtocol.decodeResponse(operation: "ListMetrics", body: fixtures.bytes("cloudwatch-ListMetrics.xml"))
        let metrics = try #require(json["Metrics"]?.arrayValue)
        #expect(metrics.count == 11)
        #expect(metrics[0]["Namespace"] == .string("AWS/ELB"))
        #expect(metrics[0]["MetricName"] == .string("BackendConnectionErrors"))
        #expect(metrics[0]["Dimensions"]?.arrayValue?.first?["Name"] == .string("Namespace"))
    }

    @Test func decodesSTSCredentials() throws {
        let json = try QueryProtocol.decodeResponse(
            operation: "AssumeRoleWithWebIdentity", body: fixtures.bytes("sts-AssumeRoleWithWebIdentity.xml"))
        #expect(json["Credentials"]?["AccessKeyId"]?.stringValue?.isEmpty == false)
        #expect(json["Credentials"]?["Expiration"]?.stringValue?.isEmpty == false)
    }
}

@Suite struct XMLReaderTests {
    @Test func malformedXMLIsAnError() {
        #expect(throws: AWSError.self) { try XMLToJSON.convert(Array("<a><b></a>".utf8)) }
        #expect(throws: AWSError.self) { try XMLToJSON.convert(Array("<a>".utf8)) }
    }

    @Test func externalEntitiesAreNotExpanded() throws {
        let xml = """
            <?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/hostname">]><a><b>&x;</b></a>
            """
        let json = try? XMLToJSON.convert(Array(xml.utf8))
        let text = json?["a"]?["b"]?.stringValue ?? ""
        #expect(text.isEmpty)
    }

    @Test func repeatedElementsBecomeArraysAndEmptyElementsStrings() throws {
        let json = try XMLToJSON.convert(Array("<r><x>1</x><x>2</x><y/><z>t</z></r>".utf8))
        #expect(
            json == .object(["r": .object(["x": .array([.string("1"), .string("2")]), "y": .string(""), "z": .string("t")])]))
    }
}

@Suite struct JSONProtocolTests {
    @Test func targetAndContentType() throws {
        let request = try JSONProtocol.request(
            service: .cloudWatchLogs, version: "1.1", targetPrefix: "Logs_20140328", operation: "FilterLogEvents",
            input: .object(["logGroupName": .string("/aws/lambda/x"), "limit": .integer(100)]))
        #expect(request.headers.contains(AWSHTTPHeader("X-Amz-Target", "Logs_20140328.FilterLogEvents")))
        #expect(request.headers.contains(AWSHTTPHeader("Content-Type", "application/x-amz-json-1.1")))
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"limit":100,"logGroupName":"/aws/lambda/x"}"#)
    }

    @Test func nonObjectInputIsRefused() {
        #expect(throws: AWSError.self) {
            try AWSClient.operationRequest(service: .cloudTrail, operation: "LookupEvents", input: .array([]))
        }
    }

    @Test func restJSONUsesTheOperationBinding() throws {
        let request = try AWSClient.operationRequest(
            service: .securityHub, operation: "GetFindings", input: .object(["MaxResults": .integer(100)]))
        #expect(request.method == "POST" && request.path == "/findings")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"MaxResults":100}"#)
        let describe = try AWSClient.operationRequest(service: .securityHub, operation: "DescribeHub", input: .object([:]))
        #expect(describe.method == "GET" && describe.body.isEmpty)
    }

    @Test func unknownRESTOperationListsTheKnownOnes() {
        #expect {
            try AWSClient.operationRequest(service: .securityHub, operation: "BatchImportFindings", input: .null)
        } throws: { error in
            (error as? AWSError)?.message.contains("GetFindings") == true
        }
    }
}
