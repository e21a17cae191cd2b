import Foundation
import MLOpsRPC
import Testing

@Suite("One paging convention for every list RPC")
struct PageRequestTests {
    private typealias Keyset = PageRequest<KeysetPageToken>

    @Test func sizesAreOneToAThousandAndUnsetIsAHundred() throws {
        #expect(try Keyset(maxResults: nil as Int32?, pageToken: "").size == 100)
        #expect(try Keyset(maxResults: 0 as Int32, pageToken: "").size == 100)  // a plain int32 left unset
        #expect(try Keyset(maxResults: 1 as Int32?, pageToken: "").size == 1)
        #expect(try Keyset(maxResults: 1000 as Int32, pageToken: "").size == 1000)
        for bad: Int32 in [0, -1, 1001] {
            let error = #expect(throws: RPCError.self) { try Keyset(maxResults: bad as Int32?, pageToken: "") }
            #expect(error?.code == .invalidArgument && error?.message.contains("max_results") == true)
            #expect(error?.message.contains("\(bad)") == true)
        }
        #expect(throws: RPCError.self) { try Keyset(maxResults: -5 as Int32, pageToken: "") }
    }

    @Test func aPageCutsTheExtraRowAndNamesWhereTheNextStarts() throws {
        let rows = (0..<4).map { KeysetPageToken(timestamp: Int64(100 - $0), id: UUID()) }
        let first = try Keyset(maxResults: 3 as Int32, pageToken: "")
        #expect(first.fetchLimit == 4)
        let page = first.page(rows) { $0 }
        #expect(page.items == Array(rows.prefix(3)))
        let next = try Keyset(maxResults: 3 as Int32, pageToken: page.nextPageToken)
        #expect(next.after == rows[2])
        let last = next.page(Array(rows.suffix(1))) { $0 }
        #expect(last.items == [rows[3]] && last.nextPageToken.isEmpty)
    }

    @Test func aTokenThisListingDidNotMakeIsRefused() {
        for token in ["nonsense", "12_not-a-uuid", String(repeating: "x", count: 10_000)] {
            let error = #expect(throws: RPCError.self) { try Keyset(maxResults: 0 as Int32, pageToken: token) }
            #expect(error?.code == .invalidArgument && error?.message.contains("page_token") == true)
            #expect((error?.message.utf8.count ?? .max) < 200)
        }
    }
}
