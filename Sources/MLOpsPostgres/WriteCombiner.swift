import NIOConcurrencyHelpers

/// Group commit for writes under one key (a model, a table). Writes that
/// would each wait for their own commit to reach the disk instead queue
/// while one batch commits and then go together in the next transaction, in
/// arrival order. Each caller still gets its own result (or error), and only
/// after the commit.
///
/// A key's batches run one after another on one pooled connection, on its
/// database thread, for as long as callers keep queueing: the next batch
/// starts the moment the last one commits, with no hop through the callers'
/// threads in between (which left the database idle half the time). The
/// connection goes back to the pool when the queue is empty, or early when
/// someone else waits for one.
public final class WriteCombiner<Item: Sendable, Output: Sendable>: Sendable {
    /// What one caller hears.
    public typealias Outcome = Result<Output, any Error>
    /// Runs one batch for a key on `connection`: one outcome per item, in
    /// order. Throwing fails every item of the batch.
    public typealias Execute =
        @Sendable (_ key: String, _ items: [Item], _ connection: PostgresConnection) throws -> [Outcome]

    private struct Waiting: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Outcome, Never>
    }

    /// Per key: who waits for the next batch; present while the key's batches run.
    private let queues = NIOLockedValueBox([String: [Waiting]]())
    private let pool: PostgresPool
    private let maximumBatch: Int
    private let execute: Execute

    public init(pool: PostgresPool, maximumBatch: Int = 64, execute: @escaping Execute) {
        self.pool = pool
        self.maximumBatch = maximumBatch
        self.execute = execute
    }

    /// Queues `item` and waits for its batch's commit. Not cancellable: once
    /// queued, the write goes in with its batch.
    public func submit(_ item: Item, key: String) async throws -> Output {
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let starts = queues.withLockedValue { queues in
                let idle = queues[key] == nil
                queues[key, default: []].append(Waiting(item: item, continuation: continuation))
                return idle
            }
            if starts { pool.lend { self.drain(key, $0) } }
        }
        return try outcome.get()
    }

    /// On the lent connection's thread: runs the key's batches until nobody
    /// waits, or hands on to another loan when others wait for a connection.
    private func drain(_ key: String, _ lent: Result<PostgresConnection, any Error>) {
        while let batch = nextBatch(key) {
            let results: [Outcome]
            do {
                results = try execute(key, batch.map(\.item), lent.get())
                precondition(results.count == batch.count, "one result per item")
            } catch {
                results = Array(repeating: .failure(error), count: batch.count)
            }
            for (waiting, result) in zip(batch, results) { waiting.continuation.resume(returning: result) }
            if pool.hasWaiters, case .success = lent {
                pool.lend { self.drain(key, $0) }
                return
            }
        }
    }

    /// The next batch in arrival order; nil (and the key idle) when nobody waits.
    private func nextBatch(_ key: String) -> [Waiting]? {
        queues.withLockedValue { queues in
            guard let waiting = queues[key], !waiting.isEmpty else {
                queues[key] = nil
                return nil
            }
            queues[key] = Array(waiting.dropFirst(maximumBatch))
            return Array(waiting.prefix(maximumBatch))
        }
    }
}
