import NIOConcurrencyHelpers

/// Group commit for writes under one key (a model, a table). Writes that
/// would each wait for their own commit to reach the disk instead queue
/// while one batch commits and then go together in the next transaction, in
/// arrival order. Each caller still gets its own result (or error), and only
/// after the commit.
public final class WriteCombiner<Item: Sendable, Output: Sendable>: Sendable {
    /// Runs one batch for a key: one result per item, in order. Throwing
    /// fails every item of the batch.
    public typealias Execute = @Sendable (_ key: String, _ items: [Item]) async throws -> [Result<Output, any Error>]

    private struct Waiting {
        let item: Item
        let continuation: CheckedContinuation<Output, any Error>
    }

    /// Per model: who waits for the next batch; present while a batch runs.
    private let queues = NIOLockedValueBox([String: [Waiting]]())
    private let maximumBatch: Int
    private let execute: Execute

    public init(maximumBatch: Int = 64, execute: @escaping Execute) {
        self.maximumBatch = maximumBatch
        self.execute = execute
    }

    public func submit(_ item: Item, key model: String) async throws -> Output {
        // Nobody writing this model: go at once, in this task, alone.
        let leads = queues.withLockedValue { queues in
            guard queues[model] == nil else { return false }
            queues[model] = []
            return true
        }
        if leads {
            defer { handOff(model) }
            return try await execute(model, [item])[0].get()
        }
        return try await withCheckedThrowingContinuation { continuation in
            let starts = queues.withLockedValue { queues in
                let idle = queues[model] == nil
                queues[model, default: []].append(Waiting(item: item, continuation: continuation))
                return idle
            }
            if starts { Task { await self.drain(model) } }
        }
    }

    /// After a lone write: those who queued meanwhile go next, together.
    private func handOff(_ model: String) {
        let waiting = queues.withLockedValue { queues in
            guard queues[model]?.isEmpty == false else {
                queues[model] = nil
                return false
            }
            return true
        }
        if waiting { Task { await self.drain(model) } }
    }

    /// Runs batches for `model` until nobody waits.
    private func drain(_ model: String) async {
        while true {
            let batch: [Waiting] = queues.withLockedValue { queues in
                let waiting = queues[model] ?? []
                guard !waiting.isEmpty else {
                    queues[model] = nil
                    return []
                }
                queues[model] = Array(waiting.dropFirst(maximumBatch))
                return Array(waiting.prefix(maximumBatch))
            }
            guard !batch.isEmpty else { return }
            do {
                let results = try await execute(model, batch.map(\.item))
                precondition(results.count == batch.count, "one result per item")
                for (waiting, result) in zip(batch, results) { waiting.continuation.resume(with: result) }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
