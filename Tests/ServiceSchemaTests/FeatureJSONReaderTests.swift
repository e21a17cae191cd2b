import DriftEngine
import Testing

@testable import MonitoringService

@Suite("Reading the feature objects PostgreSQL prints")
struct FeatureJSONReaderTests {
    private func read(_ texts: [String]) throws -> FeatureTable {
        var table = FeatureTable()
        var reader = FeatureJSONReader()
        for text in texts {
            try text.withCString { try reader.read($0, into: &table) }
            table.endRow(probability: nil)
        }
        return table
    }

    @Test func numbersStringsEscapesAndChangingKeys() throws {
        let table = try read([
            #"{"a": 1.5, "b": -2e-3, "name": "x\"y\\z"}"#,
            #"{"a": 3, "c": null, "name": "caf\u00e9 \ud83d\ude00"}"#,
            "{}",
            #"{"b": 7}"#,
        ])
        #expect(table.rowCount == 4)
        #expect(table.numericSample("a") == [1.5, 3])
        #expect(table.numericSample("b") == [-0.002, 7])
        #expect(table.categoricalSample("name") == [#"x"y\z"#, "café 😀"])
        #expect(table.column("c")?.numbers.isEmpty == true)
    }

    @Test func malformedTextIsAnErrorNotACrash() {
        for text in [#"{"a": }"#, #"{"a": 1"#, #"["a"]"#, #"{"a": "unterminated}"#, #"{"a": {"nested": 1}}"#] {
            #expect(throws: FeatureJSONReader.Malformed.self) { try read([text]) }
        }
    }
}
