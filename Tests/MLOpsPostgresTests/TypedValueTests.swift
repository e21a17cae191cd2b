import Foundation
import MLOpsPostgres
import MLOpsTestSupport
import Testing

@Suite("Typed values through a real server", .temporaryPostgres)
struct TypedValueTests {
    struct Context: Codable, Equatable, Sendable {
        var featureDriftRatio: Double
        var driftedFeatures: [String]
    }

    @Test func uuidTimestampsJSONAndBytesRoundTrip() throws {
        let connection = try PostgresConnection(configuration: try #require(TestDatabase.current).configuration)
        try connection.query(
            """
            CREATE TABLE typed (id uuid PRIMARY KEY, at timestamptz, local timestamp, context jsonb, blob bytea)
            """
        )
        let id = UUID()
        let at = Date(timeIntervalSince1970: 1_795_000_000.123456)
        let context = Context(featureDriftRatio: 0.5, driftedFeatures: ["income", "Grüße"])
        let blob = PostgresBytes([0, 1, 0x7F, 0x80, 0xFF])
        try connection.query(
            "INSERT INTO typed VALUES (\(id), \(at), \(at), \(PostgresJSON(context)), \(blob))"
        )
        let rows = try connection.query("SELECT id, at, local, context, blob FROM typed WHERE id = \(id)")
        #expect(try rows.value(UUID.self, row: 0, column: 0) == id)
        let readBack = try #require(try rows.value(Date.self, row: 0, column: 1))
        #expect(abs(readBack.timeIntervalSince(at)) < 0.000_001)
        let local = try #require(try rows.value(Date.self, row: 0, column: 2))
        #expect(abs(local.timeIntervalSince(at)) < 0.000_001)
        #expect(try rows.value(PostgresJSON<Context>.self, row: 0, column: 3)?.value == context)
        #expect(try rows.value(PostgresBytes.self, row: 0, column: 4) == blob)
    }

    @Test func timestampsWithOffsetsAreRead() {
        #expect(Date(postgresText: "2026-01-06 10:49:02.087857+00")?.timeIntervalSince1970 == 1_767_696_542.087857)
        #expect(Date(postgresText: "2026-01-06 12:49:02+02")?.timeIntervalSince1970 == 1_767_696_542)
        #expect(Date(postgresText: "2026-01-06 05:19:02-05:30")?.timeIntervalSince1970 == 1_767_696_542)
        #expect(Date(postgresText: "yesterday") == nil)
    }
}

@Suite("Arrays through a real server", .temporaryPostgres)
struct ArrayValueTests {
    @Test func textNumbersAndEmptyArraysRoundTrip() throws {
        let connection = try PostgresConnection(configuration: try #require(TestDatabase.current).configuration)
        try connection.query("CREATE TABLE arrays (id int, names text[], scores float8[], counts int[])")
        let names = ["income", "a,b", "say \"hi\"", "back\\slash", "", "NULL", "Grüße {x}"]
        let scores = [0.5, -1e300, .infinity, .leastNonzeroMagnitude]
        try connection.query(
            "INSERT INTO arrays VALUES (\(1), \(names), \(scores), \([Int]()))"
        )
        let rows = try connection.query("SELECT names, scores, counts, array_length(names, 1) FROM arrays")
        #expect(try rows.value([String].self, row: 0, column: 0) == names)
        #expect(try rows.value([Double].self, row: 0, column: 1) == scores)
        #expect(try rows.value([Int].self, row: 0, column: 2) == [])
        #expect(try rows.value(Int.self, row: 0, column: 3) == names.count)
    }

    @Test func nullElementsAndNestedArraysAreNotRead() {
        #expect([String](postgresText: "{a,NULL}") == nil)
        #expect([String](postgresText: "{a,\"NULL\"}") == ["a", "NULL"])
        #expect([Int](postgresText: "{{1,2},{3,4}}") == nil)
        #expect([Int](postgresText: "{1,2,") == nil)
    }
}

@Suite("Dates written by arithmetic")
struct DateTextTests {
    @Test func agreesWithTheCalendarAcrossCenturiesLeapDaysAndNegativeTimes() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var seconds = -2_208_988_800.0  // 1900-01-01
        while seconds < 4_102_444_800 {  // 2100-01-01
            for offset in [0.0, 0.25, 59.999_999] {
                let date = Date(timeIntervalSince1970: seconds + offset)
                let text = date.postgresText
                // DateFormatter rounds to whole seconds; the text keeps microseconds.
                if offset < 0.5 {
                    #expect(text.hasPrefix(formatter.string(from: date)), "\(text) for \(seconds + offset)")
                }
                #expect(Date(postgresText: text).map { abs($0.timeIntervalSince(date)) < 1e-6 } == true)
            }
            seconds += 86_400 * 29.53 + 3_607
        }
        #expect(Date(timeIntervalSince1970: 951_782_400).postgresText == "2000-02-29 00:00:00.000000+00")
    }
}
