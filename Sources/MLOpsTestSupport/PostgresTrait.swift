import Foundation
package import Testing

/// Gives a suite its own database in a throwaway cluster, started before the
/// suite's first test and removed after its last, whether the tests pass or fail.
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
        let cluster = try TemporaryPostgres.start()
        defer { cluster.stop() }
        let database = try cluster.createDatabase(test.name)
        try await TestDatabase.$current.withValue(TestDatabase(cluster: cluster, name: database)) {
            try await function()
        }
    }
}

extension Trait where Self == TemporaryPostgresTrait {
    /// A throwaway PostgreSQL cluster and database for the suite.
    package static var temporaryPostgres: Self { TemporaryPostgresTrait() }
}

/// The database a `.temporaryPostgres` suite runs against.
package struct TestDatabase: Sendable {
    @TaskLocal package static var current: TestDatabase?

    package let cluster: TemporaryPostgres
    package let name: String

    /// A libpq connection string for this database.
    package var connectionString: String { cluster.connectionString(database: name) }
}
