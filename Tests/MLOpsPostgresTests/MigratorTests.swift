import Logging
import MLOpsPostgres
import MLOpsTestSupport
import Testing

@Suite("Per-service migrations, applied once, all or nothing", .temporaryPostgres)
struct MigratorTests {
    private func pool() throws -> PostgresPool {
        let database = try #require(TestDatabase.current)
        return PostgresPool(configuration: database.configuration, logger: Logger(label: "test"))
    }

    private static let registry = Migrator(
        service: "registry_test",
        migrations: [
            Migration(version: 1, name: "models", sql: "CREATE TABLE rt_models (name text PRIMARY KEY)"),
            Migration(
                version: 2,
                name: "versions",
                sql: """
                    CREATE TABLE rt_versions (name text REFERENCES rt_models, version int);
                    CREATE INDEX rt_versions_name ON rt_versions (name);
                    """
            ),
        ]
    )

    @Test func appliedOnceThenNothingToDo() async throws {
        let pool = try pool()
        #expect(try await Self.registry.migrate(pool) == [1, 2])
        #expect(try await Self.registry.migrate(pool) == [])
        let recorded = try await pool.withConnection {
            try $0.query("SELECT count(*) FROM registry_test_schema_migrations").value(Int.self, row: 0, column: 0)
        }
        #expect(recorded == 2)
        pool.close()
    }

    @Test func replicasStartingTogetherApplyEachMigrationOnce() async throws {
        let migrator = Migrator(
            service: "race_test",
            migrations: [
                // Fails if run twice: no IF NOT EXISTS.
                Migration(version: 1, name: "table", sql: "CREATE TABLE race_table (n int)"),
                Migration(version: 2, name: "row", sql: "INSERT INTO race_table VALUES (1)"),
            ]
        )
        // Six "replicas", each with its own pool and connections.
        let pools = try (0..<6).map { _ in try pool() }
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for pool in pools { group.addTask { try await migrator.migrate(pool) } }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(applied.sorted() == [1, 2])
        let rows = try await pools[0].withConnection {
            try $0.query("SELECT count(*) FROM race_table").value(Int.self, row: 0, column: 0)
        }
        #expect(rows == 1)
        for pool in pools { pool.close() }
    }

    @Test func aFailingMigrationLeavesTheDatabaseAsItWas() async throws {
        let pool = try pool()
        let migrator = Migrator(
            service: "broken_test",
            migrations: [
                Migration(version: 1, name: "good", sql: "CREATE TABLE bt_good (n int)"),
                Migration(
                    version: 2,
                    name: "bad",
                    sql: """
                        CREATE TABLE bt_half (n int);
                        INSERT INTO bt_missing VALUES (1);
                        """
                ),
            ]
        )
        let error = await #expect(throws: PostgresError.self) { try await migrator.migrate(pool) }
        #expect(error?.message.contains("migration 2 (bad)") == true)
        #expect(error?.sqlState == "42P01")
        let tables = try await pool.withConnection { connection in
            let rows = try connection.query(
                "SELECT tablename FROM pg_tables WHERE tablename LIKE \("bt_%") ORDER BY tablename"
            )
            return (0..<rows.count).compactMap { rows.text(row: $0, column: 0) }
        }
        #expect(tables == ["bt_good"])
        let recorded = try await pool.withConnection {
            try $0.query("SELECT max(version) FROM broken_test_schema_migrations").value(Int.self, row: 0, column: 0)
        }
        #expect(recorded == 1)
        pool.close()
    }
}
