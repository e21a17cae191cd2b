import MLOpsRPC
import NIOConcurrencyHelpers

/// Runs a connection's calls, each as a task of its own on the connection's
/// event loop, started by the event loop the moment the call is accepted.
/// Unstructured tasks, so that starting one wakes no task to start it (half
/// the scheduling of a call); `waitUntilDone()` stands in for the structure:
/// it returns once the connection takes no more calls and every call's task
/// has returned.
final class ServerCallTasks: Sendable {
    private struct State {
        var running = 0
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?

        /// The waiter to resume, once nothing runs and nothing more will.
        mutating func takeWaiterIfDone() -> CheckedContinuation<Void, Never>? {
            guard finished, running == 0 else { return nil }
            defer { waiter = nil }
            return waiter
        }
    }

    private let state = NIOLockedValueBox(State())
    private let executor: EventLoopTaskExecutor

    init(executor: EventLoopTaskExecutor) {
        self.executor = executor
    }

    func start(_ call: ServerCall) {
        let accepted = state.withLockedValue { state in
            guard !state.finished else { return false }
            state.running += 1
            return true
        }
        guard accepted else { return }
        Task(executorPreference: executor) {
            await call.run()
            self.state.withLockedValue { state in
                state.running -= 1
                return state.takeWaiterIfDone()
            }?.resume()
        }
    }

    /// No more calls: `waitUntilDone()` returns once the running ones have.
    func finish() {
        state.withLockedValue { state in
            state.finished = true
            return state.takeWaiterIfDone()
        }?.resume()
    }

    func waitUntilDone() async {
        await withCheckedContinuation { continuation in
            let done = state.withLockedValue { state in
                guard !state.finished || state.running > 0 else { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }
}
