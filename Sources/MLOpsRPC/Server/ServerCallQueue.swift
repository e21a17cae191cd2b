import NIOConcurrencyHelpers

/// The calls a connection has accepted, handed from its event loop to its
/// task, which takes them in batches. A small queue of its own rather than an
/// `AsyncStream`: one lock and at most one suspension per batch of calls.
final class ServerCallQueue: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NIOLock()
    private var pending: [ServerCall] = []
    private var waiter: UnsafeContinuation<[ServerCall], Never>?
    private var finished = false

    func push(_ call: ServerCall) {
        lock.lock()
        guard !finished else {
            lock.unlock()
            return
        }
        if let waiter {
            self.waiter = nil
            lock.unlock()
            waiter.resume(returning: [call])
        } else {
            pending.append(call)
            lock.unlock()
        }
    }

    /// No more calls: the task's loop ends once it has taken what is queued.
    func finish() {
        lock.lock()
        finished = true
        let waiter = self.waiter
        self.waiter = nil
        lock.unlock()
        waiter?.resume(returning: [])
    }

    /// Every call queued since the last batch, waiting for one if there is
    /// none; empty once the queue is finished and drained.
    func nextBatch() async -> [ServerCall] {
        lock.lock()
        if !pending.isEmpty || finished {
            defer { pending = [] }
            let batch = pending
            lock.unlock()
            return batch
        }
        return await withUnsafeContinuation { continuation in
            waiter = continuation
            lock.unlock()
        }
    }
}
