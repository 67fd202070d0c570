/// One page of a paginated AWS answer.
public protocol AWSPage: Sendable {
    /// The token that asks for the page after this one; `nil` or empty on the last page.
    var nextToken: String? { get }
}
