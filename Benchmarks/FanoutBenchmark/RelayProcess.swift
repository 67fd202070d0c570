import Foundation

/// What a run measures: the gateway (``GatewayProcess``) or nginx with nchan (``NchanProcess``),
/// a child process of the benchmark listening on 127.0.0.1.
protocol RelayProcess: AnyObject {
    /// The port the load clients connect to.
    var port: Int { get }
    /// The process whose CPU time (`/proc/<pid>/stat`) and RSS are the relay's.
    var measuredPID: Int32 { get }
    /// Every process of the relay, for a signal handler to kill.
    var pids: [Int32] { get }
    /// Scratch folders the relay writes, for a signal handler to delete.
    var folders: [URL] { get }
    /// Ends the relay and waits for it; safe to call more than once.
    func stop()
}
