import NIOCore

/// Runs tasks on one event loop: the executor behind ``RedisConnection/taskExecutor``.
///
/// A task that prefers it (`withTaskExecutorPreference(connection.taskExecutor) { ... }`) runs its
/// nonisolated async code, the connection's `send` and `pipeline` included, on the connection's
/// own thread: a write goes straight into the channel and a reply resumes the caller on the same
/// thread, with no wake-up of another thread in either direction. For callers that pipeline
/// windows of commands back to back; keep long computations off it, as on any event loop. Like
/// the connection itself, it needs its event loop group to outlive every task that prefers it.
final class RedisEventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
