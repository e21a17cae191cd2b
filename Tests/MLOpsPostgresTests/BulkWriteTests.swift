import Logging
import MLOpsPostgres
import MLOpsTestSupport
import Testing

@Suite("COPY and pipelined batches", .temporaryPostgres)
struct BulkWriteTests {
    private func connect() throws -> PostgresConnection {
        try PostgresConnection(configuration: try #require(TestDatabase.current).configuration)
    }

    @Test func copyLoadsRowsWithAwkwardValues() throws {
        let connection = try connect()
        try connection.query("CREATE TABLE copied (id int, note text, score double precision)")
        let rows: [[String?]] = [
            ["1", "tab\there", "0.5"],
            ["2", "new\nline and \\ backslash", nil],
            ["3", nil, "1e-300"],
            ["4", "Grüße 模型", "-0"],
        ]
        #expect(try connection.copyIn(table: "copied", columns: ["id", "note", "score"], rows: rows) == 4)
        let result = try connection.query("SELECT note, score FROM copied ORDER BY id")
        #expect(result.text(row: 0, column: 0) == "tab\there")
        #expect(result.text(row: 1, column: 0) == "new\nline and \\ backslash")
        #expect(result.text(row: 1, column: 1) == nil)
        #expect(result.text(row: 2, column: 0) == nil)
        #expect(result.text(row: 3, column: 0) == "Grüße 模型")
    }

    @Test func aBadCopyLoadsNothing() throws {
        let connection = try connect()
        try connection.query("CREATE TABLE strict_copy (id int PRIMARY KEY)")
        let error = #expect(throws: PostgresError.self) {
            try connection.copyIn(table: "strict_copy", columns: ["id"], rows: [["1"], ["2"], ["2"]])
        }
        #expect(error?.isUniqueViolation == true)
        #expect(try connection.query("SELECT count(*) FROM strict_copy").value(Int.self, row: 0, column: 0) == 0)
        // The connection is usable afterwards.
        #expect(try connection.query("SELECT 1").value(Int.self, row: 0, column: 0) == 1)
    }

    @Test func aPipelinedBatchIsAppliedWhole() throws {
        let connection = try connect()
        try connection.query("CREATE TABLE piped (id int PRIMARY KEY, payload jsonb)")
        let batch: [PostgresQuery] = (0..<1000).map {
            "INSERT INTO piped VALUES (\($0), \("{\"n\": \($0)}")::jsonb)"
        }
        try connection.executePipelined(batch)
        #expect(try connection.query("SELECT count(*) FROM piped").value(Int.self, row: 0, column: 0) == 1000)

        let clashing: [PostgresQuery] = [
            "INSERT INTO piped VALUES (\(5000), NULL)",
            "INSERT INTO piped VALUES (\(7), NULL)",
            "INSERT INTO piped VALUES (\(5001), NULL)",
        ]
        let error = #expect(throws: PostgresError.self) { try connection.executePipelined(clashing) }
        #expect(error?.isUniqueViolation == true)
        #expect(try connection.query("SELECT count(*) FROM piped").value(Int.self, row: 0, column: 0) == 1000)
    }
}
