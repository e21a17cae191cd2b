import Foundation
package import MLOpsPostgres
package import Testing

/// Gives a suite its own database in the test run's throwaway cluster. The
/// cluster starts with the first such suite and is removed when the test
/// process exits; the suite's database is dropped after its last test, whether
/// the tests pass or fail.
///
///     @Suite(.temporaryPostgres) struct StoreTests {
///         @Test func insert() throws {
///             let database = try #require(TestDatabase.current)
///             …
///         }
///     }
package struct TemporaryPostgresTrait: SuiteTrait, TestScoping {
    package func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let cluster = try await SharedCluster.shared.cluster()
        let database = try cluster.createDatabase(test.name)
        defer { try? cluster.dropDatabase(database) }
        try await TestDatabase.$current.withValue(TestDatabase(cluster: cluster, name: database)) {
            try await function()
        }
    }
}

extension Trait where Self == TemporaryPostgresTrait {
    /// A throwaway PostgreSQL database for the suite.
    package static var temporaryPostgres: Self { TemporaryPostgresTrait() }
}

/// The database a `.temporaryPostgres` suite runs against.
package struct TestDatabase: Sendable {
    @TaskLocal package static var current: TestDatabase?

    package let cluster: TemporaryPostgres
    package let name: String

    package init(cluster: TemporaryPostgres, name: String) {
        self.cluster = cluster
        self.name = name
    }

    /// Settings for this database.
    package var configuration: PostgresConfiguration { cluster.configuration(database: name) }

    /// The environment a service process reads this database from.
    package var serviceEnvironment: [String: String] {
        let settings = configuration
        return [
            "POSTGRES_HOST": settings.host, "POSTGRES_PORT": String(settings.port), "POSTGRES_USER": settings.user,
            "MLOPS_DB_NAME": settings.database, "POSTGRES_SSLMODE": "disable",
        ]
    }
}

/// One cluster per test process, started on first use.
private actor SharedCluster {
    static let shared = SharedCluster()
    private var started: TemporaryPostgres?

    func cluster() throws -> TemporaryPostgres {
        if let started { return started }
        let cluster = try TemporaryPostgres.start()
        started = cluster
        stopAtExit = cluster
        atexit { stopAtExit?.stop() }
        return cluster
    }
}

// Read only by the exit handler, after every test has finished.
nonisolated(unsafe) private var stopAtExit: TemporaryPostgres?
