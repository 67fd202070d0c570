/// An element of a response list that is decoded item by item (``AWSListPage``): it names the
/// page members that hold it and its own id member.
public protocol AWSListItem: Decodable, Sendable, Hashable {
    /// The member holding the item's id (`EventId`, `arn`, ...), for ``AWSSkippedItem/id``.
    static var idMember: String { get }
    /// The page member holding the list (`Events`, `findings`, ...).
    static var listMember: String { get }
    /// The page member holding the next page's token (`NextToken`, `nextToken`).
    static var nextTokenMember: String { get }
}

/// One page of a list operation. An item that does not decode (a time outside 1970 to 9999,
/// say) is left out and listed in ``skipped``.
public struct AWSListPage<Item: AWSListItem>: Sendable, Hashable, Decodable, AWSPageSkippingItems, AWSPage {
    public var items: [Item]
    public var nextToken: String?
    public var skipped: [AWSSkippedItem]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AWSCodingKey.self)
        let list = try container.itemList(Item.listMember, of: Item.self)
        items = list.items
        skipped = list.skipped
        nextToken = try container.optional(Item.nextTokenMember)
    }
}
