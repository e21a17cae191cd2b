import MLOpsPostgres
import MLOpsTestSupport
import Testing

@Suite("libpq against a throwaway PostgreSQL", .temporaryPostgres)
struct PostgresSmokeTests {
    private func connect() throws -> PostgresConnection {
        let database = try #require(TestDatabase.current)
        return try PostgresConnection(configuration: database.configuration)
    }

    @Test func aRowRoundTrips() throws {
        let connection = try connect()
        try connection.query(
            """
            CREATE TABLE smoke (
                id bigint PRIMARY KEY, name text NOT NULL, score double precision, passed boolean, note text
            )
            """
        )
        let name = "crédit-risk 模型 'quoted' $1"
        let score = 0.123456789012345
        let nothing: String? = nil
        try connection.query(
            "INSERT INTO smoke (id, name, score, passed, note) VALUES (\(42), \(name), \(score), \(true), \(nothing))"
        )
        let rows = try connection.query("SELECT id, name, score, passed, note FROM smoke WHERE name = \(name)")
        #expect(rows.count == 1)
        #expect(rows.columns == ["id", "name", "score", "passed", "note"])
        #expect(try rows.value(Int64.self, row: 0, column: 0) == 42)
        #expect(try rows.value(String.self, row: 0, column: 1) == name)
        #expect(try rows.value(Double.self, row: 0, column: 2) == score)
        #expect(try rows.value(Bool.self, row: 0, column: 3) == true)
        #expect(rows.text(row: 0, column: 4) == nil)
    }

    @Test func serverErrorsCarryTheirSQLState() throws {
        let connection = try connect()
        try connection.query("CREATE TABLE unique_names (name text PRIMARY KEY)")
        try connection.query("INSERT INTO unique_names VALUES (\("a"))")
        let error = #expect(throws: PostgresError.self) {
            try connection.query("INSERT INTO unique_names VALUES (\("a"))")
        }
        #expect(error?.isUniqueViolation == true)
        #expect(error?.code == .serverError)
    }

    @Test func aWrongTypeIsADecodingError() throws {
        let rows = try connect().query("SELECT 'not a number'::text")
        #expect(throws: PostgresError.self) { try rows.value(Int.self, row: 0, column: 0) }
    }

    @Test func connectionFailuresNeverShowThePassword() throws {
        let database = try #require(TestDatabase.current)
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(
                connectionString:
                    "host=127.0.0.1 port=\(database.cluster.port) user=nobody password=s3cret-value dbname=x"
            )
        }
        #expect(error?.code == .connectionFailed)
        #expect(error.map { !"\($0)".contains("s3cret-value") } == true)
    }
}
