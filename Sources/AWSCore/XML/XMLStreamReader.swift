import CLibXML2

/// A forward-only pull reader over an XML document in memory: libxml2's `xmlTextReader`, which
/// never builds a tree of the whole body. Network access and entity expansion are off.
///
/// Not thread-safe: use one reader from one task at a time (it is not `Sendable`).
public final class XMLStreamReader {
    public enum Node: Equatable {
        case startElement(name: String, isEmpty: Bool)
        case endElement(name: String)
        case text(String)
    }

    private let reader: xmlTextReaderPtr
    /// libxml2 reads from this buffer in place: it must live as long as the reader.
    private let storage: UnsafeMutableBufferPointer<UInt8>

    public init(bytes: [UInt8]) throws(AWSError) {
        let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        _ = storage.initialize(from: bytes)
        let options = Int32(XML_PARSE_NONET.rawValue) | Int32(XML_PARSE_NOERROR.rawValue) | Int32(XML_PARSE_NOWARNING.rawValue)
        let created = storage.baseAddress.flatMap { base in
            base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                xmlReaderForMemory(chars, Int32(bytes.count), nil, "UTF-8", options)
            }
        }
        guard let created else {
            storage.deallocate()
            throw AWSError.malformedResponse("libxml2 could not create a reader for \(bytes.count) bytes")
        }
        self.reader = created
        self.storage = storage
        xmlTextReaderSetErrorHandler(created, { _, _, _, _ in }, nil)
    }

    deinit {
        xmlFreeTextReader(reader)
        storage.deallocate()
    }

    /// The next element start, element end or text node; `nil` at the end of the document.
    /// Comments, processing instructions and insignificant white space are skipped.
    public func next() throws(AWSError) -> Node? {
        while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { return nil }
            if status < 0 { throw AWSError.malformedResponse("the XML response is not well-formed") }
            switch xmlTextReaderNodeType(reader) {
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                return .startElement(name: localName, isEmpty: xmlTextReaderIsEmptyElement(reader) == 1)
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                return .endElement(name: localName)
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue):
                return .text(value)
            default:
                continue
            }
        }
    }

    private var localName: String {
        guard let name = xmlTextReaderConstLocalName(reader) else { return "" }
        return String(cString: name)
    }

    private var value: String {
        guard let text = xmlTextReaderConstValue(reader) else { return "" }
        return String(cString: text)
    }
}
