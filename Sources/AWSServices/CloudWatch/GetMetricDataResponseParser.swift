import AWSCore
import CLibXML2
import Foundation
import TextFormats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a query-protocol `GetMetricData` response with libxml2's streaming `xmlTextReader`: no
/// tree of the body is built, no `String` is made per node. Element names are compared as the
/// reader's interned name pointers (with a byte comparison as fallback), timestamps are read
/// from the text bytes in their fixed ISO-8601 layout, values with `strtod`.
///
/// `strtod` follows the C locale's decimal point; the process never calls `setlocale`, so it
/// stays the C locale's `.`.
public enum GetMetricDataResponseParser {
    /// Parses one response body.
    public static func parse(_ body: [UInt8]) throws(AWSError) -> GetMetricDataPage {
        let result: Result<GetMetricDataPage, AWSError> = body.withUnsafeBytes { bytes in
            Result { () throws(AWSError) -> GetMetricDataPage in try parse(bytes) }
        }
        return try result.get()
    }

    /// Parses one response body in place.
    public static func parse(_ body: UnsafeRawBufferPointer) throws(AWSError) -> GetMetricDataPage {
        guard let base = body.baseAddress, body.count > 0, body.count <= Int(Int32.max) else {
            throw AWSError(
                kind: .malformedResponse, message: "the GetMetricData response is empty or too large (\(body.count) bytes)")
        }
        let options =
            Int32(XML_PARSE_NONET.rawValue) | Int32(XML_PARSE_NOERROR.rawValue) | Int32(XML_PARSE_NOWARNING.rawValue)
            | Int32(XML_PARSE_NOBLANKS.rawValue) | Int32(XML_PARSE_COMPACT.rawValue)
        guard let reader = xmlReaderForMemory(base.assumingMemoryBound(to: CChar.self), Int32(body.count), nil, nil, options)
        else {
            throw AWSError(kind: .malformedResponse, message: "libxml2 could not create a reader for \(body.count) bytes")
        }
        defer { xmlFreeTextReader(reader) }
        xmlTextReaderSetErrorHandler(reader, { _, _, _, _ in }, nil)
        var state = MetricDataParseState(reader: reader)
        defer { state.deallocate() }
        return try state.run()
    }
}

/// The element names the parser acts on.
private enum MetricDataName: UInt8 {
    case other = 0
    case member, id, label, statusCode, timestamps, values, messages, code, value, nextToken, metricDataResults, result

    static let all: [(MetricDataName, [UInt8])] = [
        (.member, Array("member".utf8)), (.timestamps, Array("Timestamps".utf8)), (.values, Array("Values".utf8)),
        (.id, Array("Id".utf8)), (.label, Array("Label".utf8)), (.statusCode, Array("StatusCode".utf8)),
        (.messages, Array("Messages".utf8)), (.code, Array("Code".utf8)), (.value, Array("Value".utf8)),
        (.nextToken, Array("NextToken".utf8)), (.metricDataResults, Array("MetricDataResults".utf8)),
        (.result, Array("GetMetricDataResult".utf8)),
    ]
}

/// The text element being read.
private enum MetricDataLeaf: UInt8 {
    case none, timestamp, value, id, label, statusCode, messageCode, messageValue, nextToken
}

private struct MetricDataParseState {
    static let maxDepth = 64
    static let elementType = Int32(XML_READER_TYPE_ELEMENT.rawValue)
    static let endElementType = Int32(XML_READER_TYPE_END_ELEMENT.rawValue)
    static let textType = Int32(XML_READER_TYPE_TEXT.rawValue)
    static let cdataType = Int32(XML_READER_TYPE_CDATA.rawValue)

    let reader: xmlTextReaderPtr
    /// The reader's interned name pointers, in `MetricDataName.all` order.
    let internedNames: [UnsafePointer<UInt8>?]
    /// Open elements, outermost first.
    let stack: UnsafeMutablePointer<MetricDataName>
    var depth = 0
    /// The text of the current leaf element (NUL-terminated for `strtod`).
    var scratch: UnsafeMutablePointer<UInt8>
    var scratchCapacity = 256
    var scratchCount = 0
    var leaf = MetricDataLeaf.none
    var leafDepth = 0

    var page = GetMetricDataPage()
    var hasResultElement = false
    // The series being read.
    var id = ""
    var label: String?
    var statusCode = MetricDataResult.StatusCode.complete
    var timestamps: [Date] = []
    var values: [Double] = []
    var seriesMessages: [MetricDataMessage] = []
    var capacityHint = 0
    var messageCode = ""
    var messageValue = ""

    init(reader: xmlTextReaderPtr) {
        self.reader = reader
        self.internedNames = MetricDataName.all.map { _, bytes in
            (bytes + [0]).withUnsafeBufferPointer { xmlTextReaderConstString(reader, $0.baseAddress) }
        }
        self.stack = .allocate(capacity: Self.maxDepth)
        self.scratch = .allocate(capacity: 256)
    }

    func deallocate() {
        stack.deallocate()
        scratch.deallocate()
    }

    mutating func run() throws(AWSError) -> GetMetricDataPage {
        while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { break }
            guard status > 0 else { throw malformed("the XML is not well-formed") }
            let type = xmlTextReaderNodeType(reader)
            if type == Self.elementType {
                let name = lookUp(xmlTextReaderConstLocalName(reader))
                try start(name)
                if xmlTextReaderIsEmptyElement(reader) == 1 { try end() }
            } else if type == Self.endElementType {
                try end()
            } else if type == Self.textType || type == Self.cdataType {
                if leaf != .none, let text = xmlTextReaderConstValue(reader) { append(text) }
            }
        }
        guard hasResultElement else { throw malformed("no GetMetricDataResult element") }
        return page
    }

    @inline(__always)
    func lookUp(_ name: UnsafePointer<UInt8>?) -> MetricDataName {
        guard let name else { return .other }
        for index in internedNames.indices where internedNames[index] == name {
            return MetricDataName.all[index].0
        }
        // Not interned (or an element we ignore): compare the bytes.
        for (candidate, bytes) in MetricDataName.all where Self.equals(name, bytes) {
            return candidate
        }
        return .other
    }

    static func equals(_ name: UnsafePointer<UInt8>, _ bytes: [UInt8]) -> Bool {
        for index in bytes.indices where name[index] != bytes[index] { return false }
        return name[bytes.count] == 0
    }

    @inline(__always)
    func ancestor(_ level: Int) -> MetricDataName {
        depth >= level ? stack[depth - level] : .other
    }

    @inline(__always)
    mutating func start(_ name: MetricDataName) throws(AWSError) {
        guard depth < Self.maxDepth else { throw malformed("the XML nests deeper than \(Self.maxDepth) elements") }
        let parent = ancestor(1)
        switch name {
        case .member:
            switch parent {
            case .timestamps: beginLeaf(.timestamp)
            case .values: beginLeaf(.value)
            case .metricDataResults: beginSeries()
            case .messages:
                messageCode = ""
                messageValue = ""
            default: break
            }
        case .id, .label, .statusCode:
            if parent == .member, ancestor(2) == .metricDataResults {
                beginLeaf(name == .id ? .id : name == .label ? .label : .statusCode)
            }
        case .code, .value:
            if parent == .member, ancestor(2) == .messages { beginLeaf(name == .code ? .messageCode : .messageValue) }
        case .nextToken:
            if parent == .result { beginLeaf(.nextToken) }
        case .result:
            hasResultElement = true
        default:
            break
        }
        stack[depth] = name
        depth += 1
    }

    @inline(__always)
    mutating func end() throws(AWSError) {
        guard depth > 0 else { throw malformed("unbalanced end element") }
        if leaf != .none, leafDepth == depth {
            try finishLeaf()
        }
        depth -= 1
        guard stack[depth] == .member else { return }
        switch ancestor(1) {
        case .metricDataResults:
            try finishSeries()
        case .messages:
            let message = MetricDataMessage(code: messageCode, value: messageValue)
            // Messages of a series sit in MetricDataResults/member/Messages; the call's in the result.
            if ancestor(2) == .member { seriesMessages.append(message) } else { page.messages.append(message) }
        default:
            break
        }
    }

    @inline(__always)
    mutating func beginLeaf(_ kind: MetricDataLeaf) {
        leaf = kind
        leafDepth = depth + 1
        scratchCount = 0
    }

    @inline(__always)
    mutating func append(_ text: UnsafePointer<UInt8>) {
        let length = strlen(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self))
        if scratchCount + length + 1 > scratchCapacity {
            let capacity = max(scratchCapacity * 2, scratchCount + length + 1)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: scratch, count: scratchCount)
            scratch.deallocate()
            scratch = grown
            scratchCapacity = capacity
        }
        (scratch + scratchCount).update(from: text, count: length)
        scratchCount += length
    }

    @inline(__always)
    mutating func finishLeaf() throws(AWSError) {
        let kind = leaf
        leaf = .none
        // Trailing white space (pretty-printed bodies) is not part of a value.
        while scratchCount > 0,
            scratch[scratchCount - 1] == 0x20 || scratch[scratchCount - 1] == 0x0A
                || scratch[scratchCount - 1] == 0x0D || scratch[scratchCount - 1] == 0x09
        {
            scratchCount -= 1
        }
        scratch[scratchCount] = 0
        switch kind {
        case .timestamp:
            guard let seconds = ISO8601Text.secondsSince1970(scratch, count: scratchCount),
                let date = AWSTimestamp.date(secondsSince1970: seconds)
            else {
                throw malformed("'\(scratchText)' in the Timestamps of \(id) is not an ISO-8601 timestamp between 1970 and 9999")
            }
            timestamps.append(date)
        case .value:
            let count = scratchCount
            let (value, consumed) = scratch.withMemoryRebound(to: CChar.self, capacity: count + 1) { text in
                var end: UnsafeMutablePointer<CChar>?
                let value = strtod(text, &end)
                return (value, end.map { text.distance(to: $0) } ?? 0)
            }
            // strtod also reads "nan", "inf" and hex floats; CloudWatch writes none of them.
            guard count > 0, consumed == count, value.isFinite else {
                throw malformed("'\(scratchText)' in the Values of \(id) is not a number")
            }
            values.append(value)
        case .id: id = scratchText
        case .label: label = scratchText
        case .statusCode: statusCode = MetricDataResult.StatusCode(rawValue: scratchText)
        case .messageCode: messageCode = scratchText
        case .messageValue: messageValue = scratchText
        case .nextToken: page.nextToken = scratchCount > 0 ? scratchText : nil
        case .none: break
        }
    }

    var scratchText: String {
        String(decoding: UnsafeBufferPointer(start: scratch, count: scratchCount), as: UTF8.self)
    }

    mutating func beginSeries() {
        id = ""
        label = nil
        statusCode = .complete
        timestamps = []
        values = []
        seriesMessages = []
        // Series of one answer tend to have the same length: reserve what the last one needed.
        timestamps.reserveCapacity(capacityHint)
        values.reserveCapacity(capacityHint)
    }

    mutating func finishSeries() throws(AWSError) {
        guard timestamps.count == values.count else {
            throw malformed("series \(id) has \(timestamps.count) timestamps but \(values.count) values")
        }
        capacityHint = timestamps.count
        page.results.append(
            MetricDataResult(
                id: id, label: label, statusCode: statusCode, timestamps: timestamps, values: values, messages: seriesMessages))
    }

    func malformed(_ message: String) -> AWSError {
        AWSError(kind: .malformedResponse, service: "cloudwatch", operation: "GetMetricData", message: message)
    }
}
