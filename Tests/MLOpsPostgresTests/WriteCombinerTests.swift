import Foundation
import Logging
import MLOpsPostgres
import MLOpsTestSupport
import NIOConcurrencyHelpers
import Testing

/// What ran, in order: batches' items and other work.
private final class EventLog: Sendable {
    private let events = NIOLockedValueBox<[String]>([])
    var all: [String] { events.withLockedValue { $0 } }
    func record(_ event: String) { events.withLockedValue { $0.append(event) } }
    func record(batch items: [Int]) { record("batch \(items)") }
}

/// Holds a batch on its database thread until the test lets it go.
private final class Gate: Sendable {
    private let entered = AsyncStream.makeStream(of: Void.self)
    private let opened = DispatchSemaphore(value: 0)

    /// On the database thread: blocks until `open()`.
    func pass() {
        entered.continuation.yield()
        opened.wait()
    }

    func waitUntilEntered() async {
        for await _ in entered.stream { break }
    }

    func open() { opened.signal() }
}

/// Submits `item`, reporting whether it succeeded.
private func outcome(_ combiner: WriteCombiner<Int, Int>, _ item: Int) async -> (Int, Bool) {
    do {
        _ = try await combiner.submit(item, key: "m")
        return (item, true)
    } catch {
        return (item, false)
    }
}

@Suite("Write combiner: batches, turns and results, on a real pool", .temporaryPostgres)
struct WriteCombinerTests {
    private func pool(maximumConnections: Int = 4) throws -> PostgresPool {
        let database = try #require(TestDatabase.current)
        return PostgresPool(
            configuration: database.configuration,
            options: .init(maximumConnections: maximumConnections),
            logger: Logger(label: "test")
        )
    }

    /// Logs each batch, holds the first (item 0) at `gate`, answers item × 10.
    private func loggingCombiner(_ pool: PostgresPool, _ log: EventLog, holdingTheFirstBatchAt gate: Gate)
        -> WriteCombiner<Int, Int>
    {
        WriteCombiner(pool: pool) { _, items, _ in
            log.record(batch: items)
            if items == [0] { gate.pass() }
            return items.map { .success($0 * 10) }
        }
    }

    @Test func writesThatArriveDuringABatchGoTogetherInTheNextInArrivalOrder() async throws {
        let pool = try pool()
        defer { pool.close() }
        let log = EventLog()
        let gate = Gate()
        let combiner = loggingCombiner(pool, log, holdingTheFirstBatchAt: gate)
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            group.addTask { (0, try await combiner.submit(0, key: "m")) }
            await gate.waitUntilEntered()
            for item in 1...5 {
                group.addTask { (item, try await combiner.submit(item, key: "m")) }
                // Each queues before the next starts: arrival order is 1...5.
                try await Task.sleep(for: .milliseconds(20))
            }
            gate.open()
            for try await (item, result) in group { #expect(result == item * 10) }
        }
        #expect(log.all == ["batch [0]", "batch [1, 2, 3, 4, 5]"])
    }

    @Test func eachCallerGetsItsOwnResultAndAFailedBatchFailsOnlyItsCallers() async throws {
        struct Refused: Error {}
        let pool = try pool()
        defer { pool.close() }
        let gate = Gate()
        let combiner = WriteCombiner<Int, Int>(pool: pool) { _, items, _ in
            if items == [0] || items == [100] { gate.pass() }
            if items.contains(13) { throw Refused() }
            return items.map { $0.isMultiple(of: 2) ? .success($0) : .failure(Refused()) }
        }
        /// Submits each item once the one before it has queued behind the gated first.
        func outcomes(_ items: [Int]) async throws -> [Int: Bool] {
            try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for item in items {
                    group.addTask { await outcome(combiner, item) }
                    if item == items[0] { await gate.waitUntilEntered() }
                    try await Task.sleep(for: .milliseconds(20))
                }
                gate.open()
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
        }
        // One batch of 2 and 3: each hears its own answer.
        #expect(try await outcomes([0, 2, 3]) == [0: true, 2: true, 3: false])
        // A batch that throws fails its callers, not the batch before it.
        #expect(try await outcomes([100, 13, 14]) == [100: true, 13: false, 14: false])
        // And the combiner goes on.
        #expect(try await combiner.submit(4, key: "m") == 4)
    }

    @Test func manyCallersOnAFewKeysAllGetTheirAnswers() async throws {
        let pool = try pool()
        defer { pool.close() }
        let batches = NIOLockedValueBox<[[Int]]>([])
        let combiner = WriteCombiner<Int, Int>(pool: pool, maximumBatch: 8) { _, items, _ in
            batches.withLockedValue { $0.append(items) }
            usleep(UInt32.random(in: 0...500))
            return items.map { .success(-$0) }
        }
        let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
            for item in 0..<600 {
                group.addTask { try await combiner.submit(item, key: "key \(item % 3)") == -item }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(answered == 600)
        let all = batches.withLockedValue { $0 }
        #expect(all.allSatisfy { $0.count <= 8 })
        #expect(all.flatMap { $0 }.sorted() == Array(0..<600))
    }

    @Test func aKeysBatchesGiveTheConnectionBackWhenSomeoneElseWaitsForIt() async throws {
        let pool = try pool(maximumConnections: 1)
        defer { pool.close() }
        let log = EventLog()
        let gate = Gate()
        let combiner = loggingCombiner(pool, log, holdingTheFirstBatchAt: gate)
        async let first = combiner.submit(0, key: "m")
        await gate.waitUntilEntered()
        async let second = combiner.submit(1, key: "m")
        try await Task.sleep(for: .milliseconds(30))
        // The only connection is busy with the first batch: this read waits for it.
        async let read: Void = pool.withConnection { _ in log.record("read") }
        try await Task.sleep(for: .milliseconds(30))
        gate.open()
        _ = try await (first, second, read)
        // Without giving the connection back, the read would wait for every batch queued.
        #expect(log.all == ["batch [0]", "read", "batch [1]"])
    }

    @Test func aCancelledCallersWriteStillGoesInWithItsBatch() async throws {
        let pool = try pool()
        defer { pool.close() }
        try await pool.withConnection { try $0.query("CREATE TABLE combined (n int)") }
        let gate = Gate()
        let combiner = WriteCombiner<Int, Int>(pool: pool) { _, items, connection in
            if items == [0] { gate.pass() }
            let inserted = try connection.query("INSERT INTO combined SELECT unnest(\(items)::int[]) RETURNING n").count
            return items.map { _ in .success(inserted) }
        }
        let first = Task { try await combiner.submit(0, key: "m") }
        await gate.waitUntilEntered()
        let cancelled = Task { try await combiner.submit(1, key: "m") }
        let other = Task { try await combiner.submit(2, key: "m") }
        try await Task.sleep(for: .milliseconds(30))
        cancelled.cancel()
        gate.open()
        #expect(try await first.value == 1)
        // Queued before it was cancelled: it is written, and the caller hears so.
        #expect(try await cancelled.value == 2)
        #expect(try await other.value == 2)
        let count = try await pool.withConnection {
            try $0.query("SELECT count(*) FROM combined").value(Int.self, row: 0, column: 0)
        }
        #expect(count == 3)
    }

    @Test func aClosedPoolFailsTheWritesInsteadOfLeavingThemWaiting() async throws {
        let pool = try pool()
        let combiner = WriteCombiner<Int, Int>(pool: pool) { _, items, _ in items.map { .success($0) } }
        #expect(try await combiner.submit(1, key: "m") == 1)
        pool.close()
        let (_, succeeded) = await outcome(combiner, 2)
        #expect(!succeeded)
    }
}

@Suite("The pool lets a cancelled caller finish", .temporaryPostgres)
struct PoolCancellationTests {
    @Test func aCancelledCallerStillRunsItsBodyOnceItHasAConnection() async throws {
        let database = try #require(TestDatabase.current)
        let pool = PostgresPool(configuration: database.configuration, logger: Logger(label: "test"))
        defer { pool.close() }
        try await pool.withConnection { try $0.query("CREATE TABLE probe (n int)") }
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await pool.withConnection { try $0.query("INSERT INTO probe VALUES (1) RETURNING n").count }
        }
        #expect(try await task.value == 1)
    }
}
