/// A response list decoded item by item: an item that does not decode is recorded in
/// ``skipped`` and left out, the others are kept in order.
struct AWSItemList<Element: AWSListItem>: Decodable {
    var items: [Element] = []
    var skipped: [AWSSkippedItem] = []

    init(from decoder: any Decoder) throws {
        let list = decoder.codingPath.last?.stringValue ?? ""
        var container = try decoder.unkeyedContainer()
        // Bounded by the list's length: `superDecoder()` moves to the next element whether the
        // element then decodes or not.
        while !container.isAtEnd {
            let index = container.currentIndex
            let element = try container.superDecoder()
            do {
                items.append(try Element(from: element))
            } catch {
                let id = try? element.container(keyedBy: AWSCodingKey.self).lenient(Element.idMember, as: String.self)
                skipped.append(
                    AWSSkippedItem(list: list, index: index, id: id.flatMap { $0 }, reason: AWSJSONDecoding.describe(error)))
            }
        }
    }
}

extension KeyedDecodingContainer where Key == AWSCodingKey {
    /// A list member decoded item by item (``AWSItemList``): absent and `null` are both empty.
    func itemList<T: AWSListItem>(_ name: String, of type: T.Type = T.self) throws -> AWSItemList<T> {
        try decodeIfPresent(AWSItemList<T>.self, forKey: AWSCodingKey(name)) ?? AWSItemList()
    }
}

extension AWSItemList {
    init() {}
}
