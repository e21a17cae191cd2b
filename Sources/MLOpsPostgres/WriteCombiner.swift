import NIOConcurrencyHelpers

/// Group commit for writes under one key (a model, a table). Writes that
/// would each wait for their own commit to reach the disk instead queue
/// while one batch commits and then go together in the next transaction, in
/// arrival order. Each caller still gets its own result (or error), and only
/// after the commit.
///
/// Batches run in the callers' own tasks: the first caller of a batch runs
/// it and answers the others, then hands the next batch to the first caller
/// still waiting. No task of the combiner's own hops between threads, and
/// each batch runs wherever its leader's task prefers (its connection's
/// event loop, for an RPC handler).
public final class WriteCombiner<Item: Sendable, Output: Sendable>: Sendable {
    /// Runs one batch for a key: one result per item, in order. Throwing
    /// fails every item of the batch.
    public typealias Execute = @Sendable (_ key: String, _ items: [Item]) async throws -> [Result<Output, any Error>]

    private struct Waiting: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Turn, Never>
    }

    /// What a waiting caller is woken with.
    private enum Turn: Sendable {
        case answered(Result<Output, any Error>)
        /// Run the batch of your item and these, which came after it.
        case lead(others: [Waiting])
    }

    /// Per key: who waits for the next batch; present while a batch runs.
    private let queues = NIOLockedValueBox([String: [Waiting]]())
    private let maximumBatch: Int
    private let execute: Execute

    public init(maximumBatch: Int = 64, execute: @escaping Execute) {
        self.maximumBatch = maximumBatch
        self.execute = execute
    }

    public func submit(_ item: Item, key: String) async throws -> Output {
        // Nobody writing under this key: go at once, alone.
        let alone = queues.withLockedValue { queues in
            guard queues[key] == nil else { return false }
            queues[key] = []
            return true
        }
        if alone { return try await lead(key, item, others: []) }
        let turn = await withCheckedContinuation { continuation in
            let leads = queues.withLockedValue { queues in
                guard queues[key] != nil else {
                    // The batch ahead ended meanwhile.
                    queues[key] = []
                    return true
                }
                queues[key]!.append(Waiting(item: item, continuation: continuation))
                return false
            }
            if leads { continuation.resume(returning: .lead(others: [])) }
        }
        switch turn {
        case .answered(let result): return try result.get()
        case .lead(let others): return try await lead(key, item, others: others)
        }
    }

    /// Runs a batch, passes the lead on to whoever queued meanwhile, and
    /// answers the batch's other callers.
    private func lead(_ key: String, _ item: Item, others: [Waiting]) async throws -> Output {
        let results: [Result<Output, any Error>]
        do {
            results = try await execute(key, [item] + others.map(\.item))
            precondition(results.count == others.count + 1, "one result per item")
        } catch {
            results = Array(repeating: .failure(error), count: others.count + 1)
        }
        handOff(key)
        for (waiting, result) in zip(others, results.dropFirst()) {
            waiting.continuation.resume(returning: .answered(result))
        }
        return try results[0].get()
    }

    private func handOff(_ key: String) {
        let next: (leader: Waiting, others: [Waiting])? = queues.withLockedValue { queues in
            guard let waiting = queues[key], let first = waiting.first else {
                queues[key] = nil
                return nil
            }
            queues[key] = Array(waiting.dropFirst(maximumBatch))
            return (first, Array(waiting.prefix(maximumBatch).dropFirst()))
        }
        if let next { next.leader.continuation.resume(returning: .lead(others: next.others)) }
    }
}
