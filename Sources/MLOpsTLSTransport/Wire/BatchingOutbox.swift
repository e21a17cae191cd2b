import MLOpsRPC
import NIOConcurrencyHelpers
import NIOCore

/// Work handed to a connection from any thread and done on its event loop in
/// batches: whatever accumulates while a drain is pending is handled together,
/// so many frames leave in one buffer, one TLS write and one flush.
final class BatchingOutbox<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var drainScheduled = false
    }

    private let state = NIOLockedValueBox(State())
    let eventLoop: any EventLoop
    private let drain: @Sendable ([Item]) -> Void

    /// `drain` runs on `eventLoop` with every item queued since the last drain.
    init(eventLoop: any EventLoop, drain: @escaping @Sendable ([Item]) -> Void) {
        self.eventLoop = eventLoop
        self.drain = drain
    }

    func enqueue(_ item: Item) {
        let schedule = state.withLockedValue { state in
            state.items.append(item)
            defer { state.drainScheduled = true }
            return !state.drainScheduled
        }
        if schedule {
            eventLoop.execute { self.drainNow() }
        }
    }

    private func drainNow() {
        let items = state.withLockedValue { state in
            state.drainScheduled = false
            defer { state.items = [] }
            return state.items
        }
        if !items.isEmpty { drain(items) }
    }
}
