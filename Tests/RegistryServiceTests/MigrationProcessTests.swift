import MLOpsPostgres
import MLOpsTestSupport
import Testing

@Suite("Migrations from several processes at once", .temporaryPostgres)
struct MigrationProcessTests {
    @Test func fourReplicasStartingTogetherApplyTheSchemaOnce() async throws {
        let database = try #require(TestDatabase.current)
        let processes = try (0..<4).map { _ in
            try ServiceProcess(
                "model-registry",
                ["--migrate-only", "--log-level", "info"],
                environment: database.serviceEnvironment
            )
        }
        for process in processes {
            let status = await process.exitStatus(waitingUpTo: .seconds(60))
            #expect(status == 0, "\(process.log)")
        }
        // Exactly one of them applied it; the others found it done.
        let applied = processes.filter { $0.log.contains("migrations_applied=[1, 2, 3, 4]") }
        #expect(applied.count == 1)
        #expect(processes.filter { $0.log.contains("migrations_applied=[]") }.count == 3)

        let connection = try PostgresConnection(configuration: database.configuration)
        let rows = try connection.query("SELECT version FROM model_registry_schema_migrations")
        #expect(rows.count == 4)
        let view = try connection.query("SELECT count(*) FROM v_model_timeline")
        #expect(try view.value(Int.self, row: 0, column: 0) == 0)
    }
}
