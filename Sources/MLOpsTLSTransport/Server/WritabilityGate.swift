import MLOpsRPC
import NIOConcurrencyHelpers

/// Holds back a connection's response writers while its socket is full, so a
/// fast streaming handler is paced by a slow reader instead of filling memory.
/// The event loop opens and closes it as the channel's writability changes.
final class WritabilityGate: Sendable {
    private struct State {
        var isOpen = true
        var nextWaiterID = 0
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// Returns at once while the socket takes writes; otherwise waits until it
    /// does again. Throws `CancellationError` if the task is cancelled meanwhile.
    /// True when it waited.
    @discardableResult
    func waitUntilOpen() async throws -> Bool {
        if state.withLockedValue({ $0.isOpen }) { return false }
        let id = state.withLockedValue { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if state.isOpen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
        return true
    }

    func setOpen(_ open: Bool) {
        let released = state.withLockedValue { state in
            state.isOpen = open
            guard open else { return [CheckedContinuation<Void, any Error>]() }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in released { waiter.resume() }
    }
}
