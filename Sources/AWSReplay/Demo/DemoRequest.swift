import AWSCapture
import AWSCore
import Foundation

/// What the demo needs to know of a request: its operation and parameters, from whichever
/// protocol carried it (query form, JSON 1.1 with `X-Amz-Target`, REST-JSON by path).
struct DemoRequest {
    /// The operation's short name: `GetMetricData`, `FilterLogEvents`, `GetFindings`, ...
    var operation: String
    var wire: CaptureWireProtocol
    /// Form parameters (query protocol), percent-decoded.
    var form: [String: String] = [:]
    /// The JSON body (JSON 1.1 and REST-JSON), `[:]` when absent.
    var json: [String: Any] = [:]

    init(_ request: CapturedRequest) {
        wire = CaptureWireProtocol(request: request)
        if let target = request.header("X-Amz-Target") {
            operation = String(target.split(separator: ".").last ?? Substring(target))
        } else if request.method == "POST", request.path.hasPrefix("/findings") {
            operation = "GetFindings"
        } else {
            let body = String(decoding: request.body, as: UTF8.self)
            form = Self.parseForm(request.query.isEmpty ? body : request.query + "&" + body)
            operation = form["Action"] ?? "\(request.method) \(request.path)"
        }
        if wire != .awsQuery, !request.body.isEmpty,
            let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
        {
            json = object
        }
    }

    static func parseForm(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            result[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return result
    }

    /// A number member of the JSON body, by path (`filter`, `lastUpdatedTimes`, `0`, `from`);
    /// nil unless finite and within ±10^13 (epoch milliseconds), so no conversion can trap.
    func number(_ path: String...) -> Double? {
        let found = value(path)
        let number: Double?
        if let value = found as? NSNumber {
            number = value.doubleValue
        } else if let value = found as? Double {
            number = value
        } else {
            number = (found as? Int).map(Double.init)
        }
        guard let number, number.isFinite, abs(number) <= 1e13 else { return nil }
        return number
    }

    /// A string member of the JSON body, by path.
    func string(_ path: String...) -> String? {
        value(path) as? String
    }

    private func value(_ path: [String]) -> Any? {
        var current: Any? = json
        for key in path {
            if let index = Int(key), let array = current as? [Any] {
                current = index < array.count ? array[index] : nil
            } else {
                current = (current as? [String: Any])?[key]
            }
        }
        return current
    }
}
