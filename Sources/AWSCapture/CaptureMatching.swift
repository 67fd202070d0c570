import AWSCore
import TextFormats
/// How the replayer compares a live request with captured ones.
///
/// Two requests match when they have the same method, the same path (percent-decoded), the same
/// operation (`X-Amz-Target` header, or the `Action` parameter of a query-protocol request) and the
/// same parameters once normalised: JSON bodies and form bodies are flattened to `name=value`
/// leaves and sorted (so member and field order do not matter, array order does), the query string
/// is added as `?name=value` leaves, and every field named in ``ignoredFields`` is dropped first.
public struct CaptureMatching: Sendable {
    /// Fields that vary from run to run and so never decide a match, compared case-insensitively.
    /// In a JSON body the whole member (and what it contains) is dropped wherever it appears; in a form
    /// body or query string a parameter is dropped when any dot-separated part of its name is listed
    /// (`StartTime`, `MetricDataQueries.member.1.…` is kept).
    ///
    /// - time windows: `StartTime`, `EndTime` (CloudWatch GetMetricData, CloudTrail LookupEvents),
    ///   `startTime`, `endTime` (Logs FilterLogEvents), `TimePeriod` (Cost Explorer), `UpdatedAt`
    ///   (Security Hub finding filter), `startTimes`, `endTimes`, `lastUpdatedTimes` (Health filter);
    /// - pagination tokens: `NextToken`, `nextToken`, `NextPageToken` (so the pages of one listing are
    ///   "the same request" and are served in file order);
    /// - per-run credentials input: `WebIdentityToken`, `RoleSessionName`, `TokenCode`, `SerialNumber`.
    public static let defaultIgnoredFields: [String] = [
        "StartTime", "EndTime", "TimePeriod", "UpdatedAt", "StartTimes", "EndTimes", "LastUpdatedTimes", "LastUpdatedTime",
        "NextToken", "NextPageToken",
        "WebIdentityToken", "RoleSessionName", "TokenCode", "SerialNumber",
    ]

    /// Lower-cased names of the ignored fields.
    public var ignoredFields: Set<String>

    public init(ignoredFields: [String] = CaptureMatching.defaultIgnoredFields) {
        self.ignoredFields = Set(ignoredFields.map { $0.lowercased() })
    }

    /// The normalised identity of a request: equal keys match.
    public func key(for request: CapturedRequest) -> CaptureRequestKey {
        let wire = CaptureWireProtocol(request: request)
        var leaves: [String] = []
        for (name, value) in CaptureForm.parse(request.query) where !isIgnored(parameter: name) {
            leaves.append("?\(name)=\(value)")
        }
        leaves += bodyLeaves(request, wire: wire)
        return CaptureRequestKey(
            method: request.method.uppercased(),
            path: CaptureForm.percentDecode(request.path),
            operation: wire.operation(of: request),
            parameters: leaves.sorted()
        )
    }

    func isIgnored(parameter name: String) -> Bool {
        name.split(separator: ".").contains { ignoredFields.contains($0.lowercased()) }
    }

    func bodyLeaves(_ request: CapturedRequest, wire: CaptureWireProtocol) -> [String] {
        guard !request.body.isEmpty else { return [] }
        let contentType = request.header("Content-Type")?.lowercased() ?? ""
        if wire == .awsQuery || contentType.contains("x-www-form-urlencoded") {
            let text = String(decoding: request.body, as: UTF8.self)
            return CaptureForm.parse(text).filter { !isIgnored(parameter: $0.name) }.map { "\($0.name)=\($0.value)" }
        }
        if let json = try? JSONDocument.parse(request.body) {
            var leaves: [String] = []
            flatten(json, path: "", into: &leaves)
            return leaves
        }
        if let text = String(validating: request.body, as: UTF8.self) { return ["body=\(text)"] }
        return ["body(\(request.body.count) bytes)=\(request.body.hashValue)"]
    }

    func flatten(_ value: JSONDocument, path: String, into leaves: inout [String]) {
        switch value {
        case .object(let members) where !members.isEmpty:
            for member in members where !ignoredFields.contains(member.key.lowercased()) {
                flatten(member.value, path: path.isEmpty ? member.key : "\(path).\(member.key)", into: &leaves)
            }
        case .array(let elements) where !elements.isEmpty:
            for (index, element) in elements.enumerated() {
                flatten(element, path: "\(path)[\(index)]", into: &leaves)
            }
        default:
            leaves.append("\(path)=\(value.compactText)")
        }
    }
}

/// A request reduced to what matching compares. See ``CaptureMatching``.
public struct CaptureRequestKey: Sendable, Hashable, CustomStringConvertible {
    public var method: String
    public var path: String
    /// `X-Amz-Target` (`Logs_20140328.FilterLogEvents`) or the query `Action` (`ListMetrics`); nil for REST.
    public var operation: String?
    /// Sorted `name=value` leaves of the query string (prefixed `?`) and the body.
    public var parameters: [String]

    /// The operation's short name (`FilterLogEvents`), or the method and path for REST requests.
    public var operationName: String {
        guard let operation else { return "\(method) \(path)" }
        return operation.split(separator: ".").last.map(String.init) ?? operation
    }

    public var description: String {
        "\(method) \(path) operation=\(operation ?? "-") parameters=[\(parameters.joined(separator: ", "))]"
    }
}

/// The AWS wire protocol of a request, as far as the replayer needs it: for the operation name
/// and the shape of the errors it answers with.
public enum CaptureWireProtocol: Sendable, Hashable {
    /// awsQuery: form body with `Action`, XML responses (CloudWatch, STS).
    case awsQuery
    /// awsJson1_0 / awsJson1_1: `X-Amz-Target`, JSON bodies, `__type` errors (Logs, CloudTrail, CE, Health).
    case awsJSON(version: String)
    /// restJson1: operation in method and path, errors named by `x-amzn-ErrorType` (Security Hub).
    case restJSON

    public init(request: CapturedRequest) {
        let contentType = request.header("Content-Type")?.lowercased() ?? ""
        if request.header("X-Amz-Target") != nil {
            self = .awsJSON(version: contentType.contains("json-1.0") ? "1.0" : "1.1")
        } else if contentType.contains("x-www-form-urlencoded")
            || CaptureForm.parse(request.query).contains(where: { $0.name == "Action" })
        {
            self = .awsQuery
        } else {
            self = .restJSON
        }
    }

    public func operation(of request: CapturedRequest) -> String? {
        switch self {
        case .awsJSON:
            return request.header("X-Amz-Target")
        case .awsQuery:
            let parameters = CaptureForm.parse(request.query) + CaptureForm.parse(String(decoding: request.body, as: UTF8.self))
            return parameters.first { $0.name == "Action" }?.value
        case .restJSON:
            return nil
        }
    }
}
