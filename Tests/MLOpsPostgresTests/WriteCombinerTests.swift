import Logging
import MLOpsPostgres
import MLOpsTestSupport
import NIOConcurrencyHelpers
import Testing

/// What a combiner ran: each batch's items, in order.
private final class BatchLog: Sendable {
    private let batches = NIOLockedValueBox<[[Int]]>([])
    var all: [[Int]] { batches.withLockedValue { $0 } }
    func record(_ items: [Int]) { batches.withLockedValue { $0.append(items) } }
}

/// Holds the first batch until the test lets it go.
private final class Gate: Sendable {
    private let entered = AsyncStream.makeStream(of: Void.self)
    private let opened = AsyncStream.makeStream(of: Void.self)

    func pass() async {
        entered.continuation.yield()
        for await _ in opened.stream { break }
    }

    func waitUntilEntered() async {
        for await _ in entered.stream { break }
    }

    func open() { opened.continuation.yield() }
}

@Suite("Write combiner: batches, turns and results")
struct WriteCombinerTests {
    @Test func writesThatArriveDuringABatchGoTogetherInTheNextInArrivalOrder() async throws {
        let log = BatchLog()
        let gate = Gate()
        let combiner = WriteCombiner<Int, Int> { _, items in
            log.record(items)
            if items == [0] { await gate.pass() }
            return items.map { .success($0 * 10) }
        }
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
        #expect(log.all == [[0], [1, 2, 3, 4, 5]])
    }

    @Test func eachCallerGetsItsOwnResultAndAFailedBatchFailsOnlyItsCallers() async throws {
        struct Refused: Error {}
        let gate = Gate()
        let combiner = WriteCombiner<Int, Int> { _, items in
            if items == [0] || items == [100] { await gate.pass() }
            if items.contains(13) { throw Refused() }
            return items.map { $0.isMultiple(of: 2) ? .success($0) : .failure(Refused()) }
        }
        /// Submits each item once the one before it has queued behind the gated first.
        func outcomes(_ items: [Int]) async throws -> [Int: Bool] {
            try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for item in items {
                    group.addTask {
                        do {
                            _ = try await combiner.submit(item, key: "m")
                            return (item, true)
                        } catch {
                            return (item, false)
                        }
                    }
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
        let log = BatchLog()
        let combiner = WriteCombiner<Int, Int>(maximumBatch: 8) { _, items in
            log.record(items)
            try await Task.sleep(for: .microseconds(Int.random(in: 0...500)))
            return items.map { .success(-$0) }
        }
        let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
            for item in 0..<600 {
                group.addTask { try await combiner.submit(item, key: "key \(item % 3)") == -item }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(answered == 600)
        let batches = log.all
        #expect(batches.allSatisfy { $0.count <= 8 })
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<600))
    }
}

@Suite("Write combiner over the pool: a batch outlives its leader's cancellation", .temporaryPostgres)
struct WriteCombinerCancellationTests {
    @Test func aCancelledLeaderStillRunsTheBatchAndAnswersTheOthers() async throws {
        let database = try #require(TestDatabase.current)
        let pool = PostgresPool(configuration: database.configuration, logger: Logger(label: "test"))
        defer { pool.close() }
        try await pool.withConnection { try $0.query("CREATE TABLE combined (n int)") }
        let gate = Gate()
        let combiner = WriteCombiner<Int, Int> { _, items in
            if items == [0] { await gate.pass() }
            let inserted = try await pool.withConnection { connection in
                try connection.query("INSERT INTO combined SELECT unnest(\(items)::int[]) RETURNING n").count
            }
            return items.map { _ in .success(inserted) }
        }
        let first = Task { try await combiner.submit(0, key: "m") }
        await gate.waitUntilEntered()
        // While the first batch waits, 1 queues, then 2 and 3: 1 leads the next batch.
        let leader = Task { try await combiner.submit(1, key: "m") }
        try await Task.sleep(for: .milliseconds(30))
        let others = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for item in 2...3 { group.addTask { try await combiner.submit(item, key: "m") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        try await Task.sleep(for: .milliseconds(30))
        leader.cancel()
        gate.open()
        #expect(try await first.value == 1)
        // The batch of 1, 2 and 3 ran in the cancelled leader's task, and all three went in.
        #expect(try await leader.value == 3)
        #expect(try await others.value == [3, 3])
        let count = try await pool.withConnection {
            try $0.query("SELECT count(*) FROM combined").value(Int.self, row: 0, column: 0)
        }
        #expect(count == 4)
    }

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
