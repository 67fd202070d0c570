import Testing

extension Tag {
    /// The integration layer: a suite that starts a real `redis-server` or Redis Cluster, moto, a Python
    /// client script, Chromium, curl or openssl, or the built `aws-realtime` binary as a child process, or
    /// whose assertions depend on wall-clock timing under load. `.ci/test-layers` (run by `.ci/run`) runs
    /// these serially, in two shards side by side, and everything else, the unit layer, in parallel (a suite
    /// with a heavy process of its own may be named in `.ci/integration-filter`'s `PROCESS_SHARD_SUITES`, to
    /// keep the shards even). `--skip tag:integration` does not
    /// select by tag on our toolchain, so `.ci/integration-filter` reads this tag from the sources into a
    /// regular expression for `--filter`/`--skip`: put it in a suite's or test's own `.tags(...)` trait.
    @Tag public static var integration: Self
}
