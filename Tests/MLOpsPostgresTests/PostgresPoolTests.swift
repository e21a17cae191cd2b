import Logging
import MLOpsPostgres
import MLOpsTestSupport
import Testing

@Suite("The connection pool against a real server", .temporaryPostgres)
struct PostgresPoolTests {
    private func pool(maximumConnections: Int = 4, acquisitionTimeout: Duration = .seconds(5)) throws -> PostgresPool {
        let database = try #require(TestDatabase.current)
        return PostgresPool(
            configuration: database.configuration,
            options: .init(maximumConnections: maximumConnections, acquisitionTimeout: acquisitionTimeout),
            logger: Logger(label: "test")
        )
    }

    @Test func manyCallersShareABoundedPool() async throws {
        let pool = try pool(maximumConnections: 3)
        let backends = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<30 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try connection.query("SELECT pg_backend_pid()").value(Int32.self, row: 0, column: 0)!
                    }
                }
            }
            return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
        }
        #expect(backends.count <= 3)
        let statistics = pool.statistics
        #expect(statistics.inUse == 0)
        #expect(statistics.opened <= 3)
        pool.close()
    }

    @Test func anExhaustedPoolTimesOutWithAClearError() async throws {
        let pool = try pool(maximumConnections: 1, acquisitionTimeout: .milliseconds(200))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                _ = try await pool.withConnection { try $0.query("SELECT pg_sleep(1)") }
            }
            try await Task.sleep(for: .milliseconds(100))
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { try $0.query("SELECT 1") }
            }
            #expect(error?.code == .poolTimeout)
            try await group.waitForAll()
        }
        // Free again afterwards.
        try await pool.withConnection { try $0.query("SELECT 1") }
        pool.close()
    }

    @Test func aStatementTimeoutIsClassified() async throws {
        let pool = try pool()
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { connection in
                try connection.query("SET statement_timeout = 100")
                try connection.query("SELECT pg_sleep(2)")
            }
        }
        #expect(error?.isQueryCanceled == true)
        #expect(error?.sqlState == "57014")
        pool.close()
    }

    @Test func aTransactionCommitsOrRollsBackWhole() async throws {
        let pool = try pool()
        try await pool.withConnection { try $0.query("CREATE TABLE ledger (id int PRIMARY KEY)") }
        try await pool.withTransaction { connection in
            try connection.query("INSERT INTO ledger VALUES (\(1))")
            try connection.query("INSERT INTO ledger VALUES (\(2))")
        }
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withTransaction { connection in
                try connection.query("INSERT INTO ledger VALUES (\(3))")
                try connection.query("INSERT INTO ledger VALUES (\(1))")  // duplicate: the whole transaction goes
            }
        }
        #expect(error?.isUniqueViolation == true)
        let count = try await pool.withConnection {
            try $0.query("SELECT count(*) FROM ledger").value(Int.self, row: 0, column: 0)
        }
        #expect(count == 2)
        pool.close()
    }

    @Test func serializationFailuresAreRetried() async throws {
        let pool = try pool()
        try await pool.withConnection { try $0.query("CREATE TABLE counter (n int)") }
        try await pool.withConnection { try $0.query("INSERT INTO counter VALUES (0)") }
        // Eight serializable read-modify-writes race; retries make every one count.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await pool.withRetryingTransaction(maximumAttempts: 50) { connection in
                        let n = try connection.query("SELECT n FROM counter").value(Int.self, row: 0, column: 0)!
                        try connection.query("UPDATE counter SET n = \(n + 1)")
                    }
                }
            }
            try await group.waitForAll()
        }
        let n = try await pool.withConnection {
            try $0.query("SELECT n FROM counter").value(Int.self, row: 0, column: 0)
        }
        #expect(n == 8)
        pool.close()
    }
}

@Suite("The pool heals after the server restarts")
struct PostgresRestartTests {
    @Test func queriesFailClearlyThenSucceedAgain() async throws {
        let cluster = try TemporaryPostgres.start()
        defer { cluster.stop() }
        let pool = PostgresPool(
            configuration: cluster.configuration(database: "postgres"),
            options: .init(maximumConnections: 2, acquisitionTimeout: .seconds(2)),
            logger: Logger(label: "test")
        )
        try await pool.withConnection { try $0.query("SELECT 1") }

        try cluster.stopServer()
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try $0.query("SELECT 1") }
        }
        #expect(error?.isConnectionLost == true)

        try cluster.startServer()
        // The broken connection was dropped; a fresh one is opened.
        let one = try await pool.withConnection { try $0.query("SELECT 1").value(Int.self, row: 0, column: 0) }
        #expect(one == 1)
        #expect(pool.statistics.inUse == 0)
        #expect(pool.statistics.idle <= 2)
        pool.close()
    }
}
