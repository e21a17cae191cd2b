import RegistryRules
import Testing

@Suite("Search order and page tokens")
struct SearchOrderTests {
    private typealias Term = SearchOrder.Term

    @Test func defaultsAndTieBreakers() throws {
        #expect(try SearchOrder(parsing: [], for: .models).terms == [Term(.name, ascending: true)])
        #expect(
            try SearchOrder(parsing: [], for: .versions).terms == [
                Term(.lastUpdatedTimestamp, ascending: false), Term(.name, ascending: true),
                Term(.versionNumber, ascending: false),
            ]
        )
        #expect(
            try SearchOrder(parsing: ["timestamp DESC"], for: .models).terms == [
                Term(.lastUpdatedTimestamp, ascending: false), Term(.name, ascending: true),
            ]
        )
        #expect(
            try SearchOrder(parsing: ["version_number asc", "name DESC"], for: .versions).terms == [
                Term(.versionNumber, ascending: true), Term(.name, ascending: false),
            ]
        )
    }

    @Test(arguments: ["version_number", "name sideways", "name ASC DESC", ""])
    func invalidModelOrders(clause: String) {
        let error = #expect(throws: InvalidRegistryInput.self) { try SearchOrder(parsing: [clause], for: .models) }
        #expect(error?.message.hasPrefix("Invalid order_by clause '\(clause)'") == true)
    }

    @Test func tokensRoundTripForTheSameOrderOnly() throws {
        let order = try SearchOrder(parsing: [], for: .versions)
        let token = PageToken(values: [.integer(1_700_000_000_000), .string("m/é"), .integer(3)])
        let text = token.encoded(for: order)
        #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
        #expect(try PageToken(decoding: text, for: order) == token)
        #expect(try PageToken(decoding: "", for: order) == nil)

        let other = try SearchOrder(parsing: ["name"], for: .versions)
        #expect(throws: InvalidRegistryInput.self) { try PageToken(decoding: text, for: other) }
        for garbage in ["not a token", "eyJ9", String(text.dropLast(3))] {
            #expect(throws: InvalidRegistryInput.self) { try PageToken(decoding: garbage, for: order) }
        }
        // Right shape, wrong types: a name where a number belongs.
        let swapped = PageToken(values: [.string("x"), .string("m"), .integer(3)]).encoded(for: order)
        #expect(throws: InvalidRegistryInput.self) { try PageToken(decoding: swapped, for: order) }
    }
}
