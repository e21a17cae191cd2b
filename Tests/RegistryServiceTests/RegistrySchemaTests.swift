import MLOpsPostgres
import MLOpsTestSupport
import Testing

@Suite("The registry's schema", .temporaryPostgres)
struct RegistrySchemaTests {
    /// Every write to a model also rewrites its row (version counter,
    /// timestamp, who). No index may cover those columns: then the rewrite
    /// stays on its page (HOT) and leaves no index entry behind for lookups
    /// by name to wade through until the next vacuum.
    @Test func aWriteRewritesItsModelsRowInPlace() async throws {
        let connection = try await migratedDatabase(withModel: "m")
        try connection.query("BEGIN")
        for version in 1...3 {
            try connection.query(
                """
                UPDATE registered_models
                SET last_version = \(version), last_updated_timestamp = \(version + 1), last_updated_by = \("gate")
                WHERE name = 'm'
                """
            )
        }
        let inPlace = try connection.query("SELECT pg_stat_get_xact_tuples_hot_updated('registered_models'::regclass)")
        #expect(try inPlace.value(Int.self, row: 0, column: 0) == 3)
        try connection.query("ROLLBACK")
    }

    /// An edit that leaves a version's stage alone (description, who, when)
    /// touches no index either.
    @Test func anEditRewritesItsVersionsRowInPlace() async throws {
        let connection = try await migratedDatabase(withModel: "edited")
        try connection.query(
            """
            INSERT INTO model_versions (model_name, model_id, version, created_by, last_updated_by,
                                        creation_timestamp, last_updated_timestamp)
            SELECT name, id, 1, 'trainer', 'trainer', 1, 1 FROM registered_models WHERE name = 'edited'
            """
        )
        try connection.query("BEGIN")
        for edit in 1...3 {
            try connection.query(
                """
                UPDATE model_versions
                SET description = \("edit \(edit)"), last_updated_by = \("admin"), last_updated_timestamp = \(edit + 1)
                WHERE model_name = 'edited' AND version = 1
                """
            )
        }
        let inPlace = try connection.query("SELECT pg_stat_get_xact_tuples_hot_updated('model_versions'::regclass)")
        #expect(try inPlace.value(Int.self, row: 0, column: 0) == 3)
        try connection.query("ROLLBACK")
    }

    /// A database migrated by the real process, holding the model `name`.
    private func migratedDatabase(withModel name: String) async throws -> PostgresConnection {
        let database = try #require(TestDatabase.current)
        let migration = try ServiceProcess(
            "model-registry",
            ["--migrate-only"],
            environment: database.serviceEnvironment
        )
        #expect(await migration.exitStatus(waitingUpTo: .seconds(60)) == 0, "\(migration.log)")
        let connection = try PostgresConnection(configuration: database.configuration)
        try connection.query(
            """
            INSERT INTO registered_models (name, created_by, last_updated_by, creation_timestamp, last_updated_timestamp)
            VALUES (\(name), 'trainer', 'trainer', 1, 1)
            """
        )
        return connection
    }
}
