import Payloads
import Testing

@testable import Gateway

/// The subscribe checks every protocol shares, as a plain value.
@Suite struct ClientSubscriptionsTests {
    static let grant = GatewayGrant(
        streams: [.metrics, .logs, .costs], expiresAt: nil,
        targets: TargetFilter(accounts: ["111111111111"], regions: ["eu-west-1", "us-east-1"]))

    @Test func refusalsComeInOrderForbiddenFilterAlreadyLimit() {
        var subscriptions = ClientSubscriptions(grant: Self.grant, limit: 2)
        #expect(subscriptions.admit(.health) == .failure(.forbidden(.health)))
        let beyond = TargetFilter(accounts: ["222222222222"], regions: nil)
        // A forbidden stream is refused as such even with a filter beyond the token.
        #expect(subscriptions.admit(.health, requesting: beyond) == .failure(.forbidden(.health)))
        #expect(
            subscriptions.admit(.metrics, requesting: beyond) == .failure(.forbiddenAccount("222222222222", stream: .metrics)))

        #expect(subscriptions.admit(.metrics) == .success(Self.grant.targets))
        subscriptions.subscribed(.metrics)
        #expect(subscriptions.admit(.metrics) == .failure(.alreadySubscribed(.metrics)))
        let europe = TargetFilter(accounts: nil, regions: ["eu-west-1"])
        #expect(
            subscriptions.admit(.logs, requesting: europe)
                == .success(TargetFilter(accounts: ["111111111111"], regions: ["eu-west-1"])))
        subscriptions.subscribed(.logs)
        #expect(subscriptions.admit(.costs) == .failure(.tooManySubscriptions(2)))
    }

    @Test func leavingFreesTheSlotAndRemoveAllReturnsEveryStream() {
        var subscriptions = ClientSubscriptions(grant: .anonymous, limit: 1)
        subscriptions.subscribed(.metrics)
        #expect(subscriptions.admit(.logs) == .failure(.tooManySubscriptions(1)))
        let left = subscriptions.unsubscribed(.metrics)
        let leftAgain = subscriptions.unsubscribed(.metrics)
        #expect(left && !leftAgain)
        #expect(subscriptions.admit(.logs) == .success(.everything))
        subscriptions.subscribed(.logs)
        let removed = subscriptions.removeAll()
        #expect(removed == [.logs])
        #expect(subscriptions.streams.isEmpty)
    }
}
