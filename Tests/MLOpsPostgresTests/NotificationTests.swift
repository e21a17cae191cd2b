import Logging
import MLOpsPostgres
import MLOpsTestSupport
import Testing

@Suite("LISTEN/NOTIFY and composed queries against a real server", .temporaryPostgres)
struct NotificationTests {
    @Test func aCommittedNotifyReachesTheListenerAndARolledBackOneDoesNot() throws {
        let database = try #require(TestDatabase.current)
        let listener = try PostgresConnection(configuration: database.configuration)
        let sender = try PostgresConnection(configuration: database.configuration)
        try listener.listen("registry events")
        #expect(try listener.notifications(waitingUpTo: .milliseconds(50)).isEmpty)

        try sender.query("BEGIN")
        try sender.query("SELECT pg_notify('registry events', \("rolled back"))")
        try sender.query("ROLLBACK")
        try sender.query("SELECT pg_notify('registry events', \("héllo ✓"))")
        let arrived = try listener.notifications(waitingUpTo: .seconds(5))
        #expect(arrived.map(\.payload) == ["héllo ✓"])
        #expect(arrived.first?.channel == "registry events")
    }

    @Test func aPipelineReturnsEachStatementsRowsAndStopsAtTheFirstFailure() throws {
        let database = try #require(TestDatabase.current)
        let connection = try PostgresConnection(configuration: database.configuration)
        try connection.query("CREATE TABLE piped (n int PRIMARY KEY)")
        let results = try connection.pipeline([
            "BEGIN", "INSERT INTO piped VALUES (\(1)) RETURNING n", "SELECT count(*) FROM piped", "COMMIT",
        ])
        #expect(results.count == 4)
        #expect(try results[1]?.value(Int.self, row: 0, column: 0) == 1)
        #expect(try results[2]?.value(Int.self, row: 0, column: 0) == 1)

        let error = #expect(throws: PostgresError.self) {
            try connection.pipeline([
                "BEGIN", "INSERT INTO piped VALUES (\(2))", "INSERT INTO piped VALUES (\(1))",
                "INSERT INTO piped VALUES (\(3))", "COMMIT",
            ])
        }
        #expect(error?.isUniqueViolation == true)
        try connection.query("ROLLBACK")
        // Nothing of the failed transaction stayed; the connection goes on.
        #expect(try connection.query("SELECT count(*) FROM piped").value(Int.self, row: 0, column: 0) == 1)
    }

    @Test func fragmentsKeepTheirBindsInOrder() throws {
        let database = try #require(TestDatabase.current)
        let connection = try PostgresConnection(configuration: database.configuration)
        let conditions: [PostgresQuery] = ["x > \(2)", "x < \(9)", "x <> \(5)"]
        var query: PostgresQuery = "SELECT x FROM generate_series(\(1)::int, \(10)::int) AS x WHERE "
        query.append(PostgresQuery.joined(conditions, separator: " AND "))
        query.append(" ORDER BY x LIMIT \(3)")
        #expect(query.binds == ["1", "10", "2", "9", "5", "3"])
        let rows = try connection.query(query)
        #expect(try (0..<rows.count).map { try rows.value(Int.self, row: $0, column: 0) } == [3, 4, 6])
        let nested: PostgresQuery = "SELECT \(1)::int + (\(fragment: "SELECT \(41)::int"))"
        #expect(try connection.query(nested).value(Int.self, row: 0, column: 0) == 42)
    }

    @Test func renumberingLeavesOtherTextAlone() {
        var query: PostgresQuery = "SELECT \(1)::int, "
        query.append("'€ $ x' || \(2)::text || '模型$' || \(3)::text")
        #expect(query.sql == "SELECT $1::int, '€ $ x' || $2::text || '模型$' || $3::text")
        #expect(query.binds == ["1", "2", "3"])
    }
}
