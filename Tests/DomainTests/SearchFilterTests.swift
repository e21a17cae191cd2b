import RegistryRules
import Testing

@Suite("Search filters are parsed as MLflow's grammar")
struct SearchFilterTests {
    private typealias Condition = SearchFilter.Condition

    @Test func emptyFilterHasNoConditions() throws {
        #expect(try SearchFilter(parsing: "", for: .models).conditions == [])
        #expect(try SearchFilter(parsing: "   ", for: .versions).conditions == [])
    }

    @Test func modelConditions() throws {
        let filter = try SearchFilter(
            parsing: "name LIKE 'credit-%' and tags.team = \"risk\" AND name IN ('a', 'b''s') AND name NOT IN ('c')",
            for: .models
        )
        #expect(
            filter.conditions == [
                Condition(.name, .like, .string("credit-%")),
                Condition(.tag("team"), .equal, .string("risk")),
                Condition(.name, .in, .list(["a", "b's"])),
                Condition(.name, .notIn, .list(["c"])),
            ]
        )
    }

    @Test func versionConditions() throws {
        let filter = try SearchFilter(
            parsing:
                "version_number >= 3 AND version_number != -1 AND run_id = 'r1' AND source_path ILIKE 's3://%' AND tags.`my key` != 'x'",
            for: .versions
        )
        #expect(
            filter.conditions == [
                Condition(.versionNumber, .greaterOrEqual, .integer(3)),
                Condition(.versionNumber, .notEqual, .integer(-1)),
                Condition(.runID, .equal, .string("r1")),
                Condition(.sourcePath, .ilike, .string("s3://%")),
                Condition(.tag("my key"), .notEqual, .string("x")),
            ]
        )
    }

    @Test(
        arguments: [
            ("name = 'a' OR name = 'b'", "expected AND between conditions, found 'OR name = 'b''"),
            ("run_id = 'x'", "unknown attribute 'run_id'; valid attributes are name, tags.<key>"),
            ("name = a", "expected a quoted string or an integer in 'name = a'"),
            ("name = 3", "string values must be quoted in 'name = 3'"),
            ("name < 'b'", "comparison < is not supported in 'name < 'b''"),
            ("name = 'unterminated", "unterminated quoted text at ''unterminated'"),
            ("name = 'a' AND", "a condition must follow AND"),
            ("tags.team IN ('a')", "comparison IN is not supported in 'tags.team IN ('a')'"),
            ("name REGEXP 'x'", "unknown comparison 'REGEXP' in 'name REGEXP 'x''"),
            (
                #"name LIKE 'abc\'"#,
                #"a LIKE pattern cannot end in an escaping backslash in 'name LIKE 'abc\''"#
            ),
        ]
    )
    func invalidModelFilters(filter: String, reason: String) {
        let error = #expect(throws: InvalidRegistryInput.self) { try SearchFilter(parsing: filter, for: .models) }
        #expect(error?.message == "Invalid filter '\(filter)': \(reason).")
    }

    @Test func aLIKEPatternEndingInAnEscapedBackslashIsFine() throws {
        #expect(try SearchFilter(parsing: #"name LIKE 'abc\\'"#, for: .models).conditions.count == 1)
    }

    @Test func aHugeFilterIsEchoedOnlyInPart() {
        let filter = "name = '" + String(repeating: "x", count: 100_000)
        let error = #expect(throws: InvalidRegistryInput.self) { try SearchFilter(parsing: filter, for: .models) }
        #expect(error.map { $0.message.utf8.count < 400 } == true)
    }

    @Test(arguments: ["version_number = '3'", "version_number LIKE 3", "version_number = 99999999999999999999"])
    func versionNumbersAreIntegers(filter: String) {
        #expect(throws: InvalidRegistryInput.self) { try SearchFilter(parsing: filter, for: .versions) }
    }
}
