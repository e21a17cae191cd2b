import MLOpsRPC
public import NIOCore

/// Runs Swift tasks on one event loop. A call's task that prefers its
/// connection's loop wakes no other thread on its way from the frame that
/// started it to the frame that answers it. Work on it must not block: I/O
/// awaits, and heavy computation moves off with `withTaskExecutorPreference(
/// globalConcurrentExecutor)`.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
