import Foundation
import MLOpsPostgres
import MLOpsTestSupport
import Testing

@Suite("Throwaway PostgreSQL clusters leave nothing behind")
struct TemporaryPostgresTests {
    @Test func stopRemovesTheServerAndItsFolder() throws {
        let cluster = try TemporaryPostgres.start()
        let connection = try PostgresConnection(configuration: cluster.configuration())
        let rows = try connection.query("SELECT current_setting('server_version_num')::int / 10000")
        #expect(try rows.value(Int.self, row: 0, column: 0) == 15)
        #expect(FileManager.default.fileExists(atPath: cluster.socketFolder))

        cluster.stop()
        #expect(!FileManager.default.fileExists(atPath: cluster.socketFolder))
        #expect(throws: PostgresError.self) {
            try PostgresConnection(configuration: cluster.configuration())
        }
    }

    @Test func aClusterWhoseTestProcessDiedIsRemovedByTheNextStart() throws {
        let abandoned = try TemporaryPostgres.start()
        defer { abandoned.stop() }
        try abandoned.pretendOwnerDied()

        let next = try TemporaryPostgres.start()
        defer { next.stop() }
        #expect(!FileManager.default.fileExists(atPath: abandoned.socketFolder))
        #expect(throws: PostgresError.self) {
            try PostgresConnection(configuration: abandoned.configuration())
        }
    }

    @Test func databasesAreCreatedAndDropped() throws {
        let cluster = try TemporaryPostgres.start()
        defer { cluster.stop() }
        let name = try cluster.createDatabase("Some Suite")
        #expect(name.hasPrefix("somesuite_"))
        _ = try PostgresConnection(configuration: cluster.configuration(database: name))
        try cluster.dropDatabase(name)
        #expect(throws: PostgresError.self) {
            try PostgresConnection(configuration: cluster.configuration(database: name))
        }
    }
}
