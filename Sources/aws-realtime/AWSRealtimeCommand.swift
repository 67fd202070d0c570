import ArgumentParser

@main
struct AWSRealtimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws-realtime",
        abstract: "Streams AWS telemetry to browsers and services live.",
        subcommands: [ReplayCommand.self]
    )
}
