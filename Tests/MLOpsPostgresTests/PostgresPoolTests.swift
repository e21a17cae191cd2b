import Foundation
import Logging
import MLOpsPostgres
import MLOpsTestSupport
import MetricsTestKit
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
        // A generous wait: this is about sharing, and a suite starting dozens of processes slows every connect.
        let pool = try pool(maximumConnections: 3, acquisitionTimeout: .seconds(60))
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

    @Test func aWaiterWhoseTaskIsCancelledLeavesTheLineAtOnce() async throws {
        let pool = try pool(maximumConnections: 1, acquisitionTimeout: .seconds(30))
        let holder = Task { _ = try await pool.withConnection { try $0.query("SELECT pg_sleep(3)") } }
        while pool.statistics.inUse < 1 { try await Task.sleep(for: .milliseconds(10)) }
        let waiter = Task { try await pool.withConnection { try $0.query("SELECT 1") } }
        while pool.statistics.waiting < 1 { try await Task.sleep(for: .milliseconds(10)) }

        let cancelled = ContinuousClock.now
        waiter.cancel()
        let outcome = await waiter.result
        #expect(ContinuousClock.now - cancelled < .seconds(1), "the waiter stayed in line")
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(pool.statistics.waiting == 0)
        try await holder.value
        // The line works on: the connection goes to the next caller.
        try await pool.withConnection { try $0.query("SELECT 1") }
        pool.close()
    }

    /// An open that fails (here the role's connection limit; in a container
    /// network, a DNS lookup failing while containers come and go) fails no
    /// caller while a connection in use will come back: it gets that one.
    @Test func aCallerWhoseConnectionCannotBeOpenedGetsOneGivenBack() async throws {
        let database = try #require(TestDatabase.current)
        let superuser = try PostgresConnection(configuration: database.configuration)
        try superuser.query("CREATE ROLE pool_one_connection LOGIN CONNECTION LIMIT 1")
        defer { _ = try? superuser.query("DROP ROLE pool_one_connection") }
        var configuration = database.configuration
        configuration.user = "pool_one_connection"
        let pool = PostgresPool(
            configuration: configuration,
            options: .init(maximumConnections: 2, acquisitionTimeout: .seconds(10)),
            logger: Logger(label: "test")
        )
        let holder = Task { _ = try await pool.withConnection { try $0.query("SELECT pg_sleep(0.5)") } }
        while pool.statistics.inUse < 1 { try await Task.sleep(for: .milliseconds(10)) }

        let answer = try await pool.withConnection { try $0.query("SELECT 1").value(Int32.self, row: 0, column: 0) }
        #expect(answer == 1)
        try await holder.value
        #expect(pool.statistics.opened == 1)
        pool.close()
    }

    /// A process exits once its pool has shut down: by then no connection
    /// may still be opening, or libpq (and OpenSSL in it) races exit's
    /// cleanup. A server that accepts and never answers keeps an open going
    /// for its whole connect timeout, past the caller who gave up on it.
    @Test func shutdownWaitsForAnOpenStillInFlight() async throws {
        let silent = try SilentListener()
        defer { silent.close() }
        let pool = PostgresPool(
            configuration: PostgresConfiguration(
                host: "127.0.0.1",
                port: silent.port,
                sslMode: "disable",
                connectTimeout: .seconds(2)
            ),
            options: .init(maximumConnections: 1, acquisitionTimeout: .milliseconds(100)),
            logger: Logger(label: "test")
        )
        let started = ContinuousClock.now
        await #expect(throws: PostgresError.self) { try await pool.withConnection { _ in } }
        await pool.shutdown()
        #expect(ContinuousClock.now - started > .milliseconds(1500), "returned with the open still going")
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
    @Test func afterARestartOneLostConnectionDropsTheOtherDeadIdleOnes() async throws {
        let cluster = try TemporaryPostgres.start()
        defer { cluster.stop() }
        let pool = PostgresPool(
            configuration: cluster.configuration(database: "postgres"),
            options: .init(maximumConnections: 4, acquisitionTimeout: .seconds(30)),
            logger: Logger(label: "test")
        )
        // Four idle connections, then a restart nobody calls through.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { _ = try await pool.withConnection { try $0.query("SELECT pg_sleep(0.2)") } }
            }
            try await group.waitForAll()
        }
        #expect(pool.statistics.idle == 4)
        try cluster.stopServer()
        try cluster.startServer()

        var failures = 0
        for _ in 0..<8 {
            do {
                _ = try await pool.withConnection { try $0.query("SELECT 1") }
            } catch let error as PostgresError where error.isConnectionLost {
                failures += 1
            }
        }
        // The first call finds its connection dead; the pool then drops the rest unlent.
        #expect(failures == 1)
        pool.close()
    }

    @Test func queriesInFlightFailClearlyThenLaterOnesSucceedWithoutLeaks() async throws {
        let cluster = try TemporaryPostgres.start()
        defer { cluster.stop() }
        var configuration = cluster.configuration(database: "postgres")
        configuration.applicationName = "restart-test"
        let pool = PostgresPool(
            configuration: configuration,
            // Generous: twelve short queries wait their turn, and a loaded machine connects slowly.
            options: .init(maximumConnections: 3, acquisitionTimeout: .seconds(30)),
            logger: Logger(label: "test")
        )

        // Three queries are running when the server goes away.
        let inFlight = Task {
            await withTaskGroup(of: (any Error)?.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        do {
                            try await pool.withConnection { try $0.query("SELECT pg_sleep(30)") }
                            return nil
                        } catch { return error }
                    }
                }
                return await group.reduce(into: [(any Error)?]()) { $0.append($1) }
            }
        }
        while pool.statistics.inUse < 3 { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(200))
        try cluster.stopServer()
        let errors = await inFlight.value
        #expect(errors.count == 3)
        for error in errors {
            let error = try #require(error as? PostgresError)
            #expect(error.isConnectionLost, "\(error)")
        }
        #expect(pool.statistics.inUse == 0)

        try cluster.startServer()
        // The broken connections were dropped; fresh ones are opened, never more than the bound.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask { _ = try await pool.withConnection { try $0.query("SELECT pg_sleep(0.05)") } }
            }
            try await group.waitForAll()
        }
        let backends = try await pool.withConnection {
            try $0.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'restart-test'")
                .value(Int.self, row: 0, column: 0)
        }
        let statistics = pool.statistics
        #expect(statistics.inUse == 0)
        #expect(backends == statistics.idle)
        #expect(statistics.idle <= 3)
        pool.close()
    }
}

@Suite("The pool reports its statistics as metrics", .temporaryPostgres)
struct PostgresPoolMetricsTests {
    @Test func gaugesFollowTheConnectionsAndWaitsAreTimed() async throws {
        let database = try #require(TestDatabase.current)
        let metrics = TestMetrics()
        var configuration = database.configuration
        configuration.applicationName = "metrics-test"
        let pool = PostgresPool(
            configuration: configuration,
            options: .init(maximumConnections: 1),
            logger: Logger(label: "test"),
            metricsFactory: metrics
        )
        let poolLabel = ("pool", "metrics-test")
        let inUse = try metrics.expectGauge("postgres_pool_connections", [poolLabel, ("state", "in_use")])
        let idle = try metrics.expectGauge("postgres_pool_connections", [poolLabel, ("state", "idle")])
        let waiters = try metrics.expectGauge("postgres_pool_waiters", [poolLabel])

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.withConnection { _ = try $0.query("SELECT pg_sleep(0.3)") } }
            while pool.statistics.inUse == 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(inUse.lastValue == 1)
            group.addTask { try await pool.withConnection { _ = try $0.query("SELECT 1") } }
            while pool.statistics.waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(waiters.lastValue == 1)
            try await group.waitForAll()
        }
        #expect(inUse.lastValue == 0)
        #expect(idle.lastValue == 1)
        #expect(waiters.lastValue == 0)
        #expect(try metrics.expectCounter("postgres_pool_connections_opened_total", [poolLabel]).totalValue == 1)
        let wait = try metrics.expectTimer("postgres_pool_wait_duration_seconds", [poolLabel])
        #expect(wait.values.count == 1)
        #expect(try #require(wait.values.first) > 100_000_000)  // it waited for the 0.3 s sleep
        pool.close()
    }
}

/// A TCP port that takes connections and never says a word.
private struct SilentListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw CocoaError(.fileWriteUnknown) }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}
