import ArgumentParser

@main
struct AWSRealtimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws-realtime",
        abstract: "Streams AWS telemetry (CloudWatch, CloudTrail, Cost Explorer, Security Hub, Health) to sockets live.",
        subcommands: [
            StandaloneCommand.self, CallCommand.self, WorkerCommand.self, GatewayCommand.self, RecordCommand.self,
            ReplayCommand.self, HealthcheckCommand.self,
        ],
        defaultSubcommand: StandaloneCommand.self
    )
}
