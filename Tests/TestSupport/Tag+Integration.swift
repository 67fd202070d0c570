import Testing

extension Tag {
    /// The integration layer: a suite that starts a real `redis-server` or Redis Cluster, moto, a Python
    /// client script, Chromium, curl or openssl, or the built `aws-realtime` binary as a child process, or
    /// whose assertions depend on wall-clock timing under load. `.ci/run` runs these serially
    /// (`--filter tag:integration --no-parallel`) and everything else, the unit layer, in parallel
    /// (`--skip tag:integration`).
    @Tag public static var integration: Self
}
