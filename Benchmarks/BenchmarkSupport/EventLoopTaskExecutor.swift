import NIOCore

/// Runs a task's async code on one event loop. A benchmark whose Redis connections live on that
/// loop runs its caller there (`withTaskExecutorPreference`): writes go straight into the channel
/// and replies resume the caller on the same thread, as `RedisConnection.taskExecutor` does for
/// one connection. The loop's group must outlive every task that prefers it.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
