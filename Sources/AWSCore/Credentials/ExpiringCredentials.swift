import Foundation
import SigV4

/// Credentials and the moment they stop working (`nil`: they do not expire).
public struct ExpiringCredentials: Sendable, Equatable {
    public var credentials: AWSCredentials
    public var expiration: Date?

    public init(_ credentials: AWSCredentials, expiration: Date? = nil) {
        self.credentials = credentials
        self.expiration = expiration
    }
}
