import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTestSupport
import Testing

@Suite("Search, ordering and paging", .temporaryPostgres, .registryInProcess())
struct SearchTests {
    let registry: ModelRegistryClient

    init() throws {
        registry = try #require(InProcessService.current).client("admin")
    }

    @Test func modelFilters() async throws {
        for (name, team) in [("fraud-a", "risk"), ("fraud-B", "ops"), ("churn", "risk"), ("Fraud-c", "risk")] {
            _ = try await registry.createRegisteredModel(.init(name: name, tags: ["team": team]))
        }
        func names(_ filter: String, _ order: [String] = []) async throws -> [String] {
            try await registry.searchRegisteredModels(.init(filter: filter, orderBy: order)).registeredModels.map(
                \.name
            )
        }
        #expect(try await names("name LIKE 'fraud-%'") == ["fraud-B", "fraud-a"])
        #expect(try await names("name ILIKE 'fraud-%'") == ["Fraud-c", "fraud-B", "fraud-a"])
        #expect(try await names("name ILIKE 'fraud-%' AND tags.team = 'risk'") == ["Fraud-c", "fraud-a"])
        #expect(try await names("name IN ('churn', 'fraud-a', 'other')") == ["churn", "fraud-a"])
        #expect(try await names("name NOT IN ('churn') AND tags.team != 'risk'") == ["fraud-B"])
        #expect(try await names("name != 'churn' AND name ILIKE '%c'", ["name DESC"]) == ["Fraud-c"])
        let error = await rpcError { _ = try await registry.searchRegisteredModels(.init(filter: "name = 'a' OR x")) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("OR x") == true)
        #expect(
            await statusCode { _ = try await registry.searchRegisteredModels(.init(orderBy: ["creation_timestamp"])) }
                == .invalidArgument
        )
    }

    @Test func versionFiltersAndDefaultOrder() async throws {
        _ = try await registry.createRegisteredModel(.init(name: "searched"))
        for index in 1...5 {
            _ = try await registry.createModelVersion(
                .init(
                    name: "searched",
                    source: "s3://bucket/\(index)",
                    runId: "run-\(index % 2)",
                    tags: ["i": "\(index)"]
                )
            )
            try await Task.sleep(for: .milliseconds(2))
        }
        func versions(_ filter: String, _ order: [String] = []) async throws -> [Int64] {
            try await registry.searchModelVersions(.init(filter: "name = 'searched' AND " + filter, orderBy: order))
                .modelVersions.map(\.version)
        }
        // Default: last updated, newest first.
        #expect(try await versions("version_number > 0") == [5, 4, 3, 2, 1])
        #expect(try await versions("version_number >= 2 AND version_number < 4", ["version_number"]) == [2, 3])
        #expect(try await versions("version_number != 3 AND run_id = 'run-1'", ["version_number ASC"]) == [1, 5])
        #expect(try await versions("source_path LIKE 's3://bucket/%' AND tags.i = '4'") == [4])
        #expect(try await versions("tags.i ILIKE '%'", ["creation_timestamp ASC"]) == [1, 2, 3, 4, 5])
        #expect(
            await statusCode { _ = try await registry.searchModelVersions(.init(filter: "version_number = 'x'")) }
                == .invalidArgument
        )
    }

    @Test(arguments: [Int32(0), -1, 1001])
    func pageSizeOutOfRange(size: Int32) async throws {
        let error = await rpcError { _ = try await registry.searchRegisteredModels(.init(maxResults: size)) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("max_results") == true)
    }

    @Test func malformedPageToken() async throws {
        for token in ["garbage", "eyJ9"] {
            let error = await rpcError { _ = try await registry.searchModelVersions(.init(pageToken: token)) }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test func pagesStayContiguousWhileOthersWrite() async throws {
        for index in 0..<45 {
            _ = try await registry.createRegisteredModel(.init(name: "paged-\(String(format: "%03d", index * 2))"))
        }
        var seen: [String] = []
        var token = ""
        var inserted = 0
        repeat {
            let page = try await registry.searchRegisteredModels(
                .init(filter: "name LIKE 'paged-%'", maxResults: 10, pageToken: token)
            )
            seen += page.registeredModels.map(\.name)
            token = page.nextPageToken
            // Writers insert before and after the cursor between pages.
            for odd in [inserted * 2 + 1, 89 - inserted * 2] where odd >= 0 {
                _ = try? await registry.createRegisteredModel(.init(name: "paged-\(String(format: "%03d", odd))"))
            }
            inserted += 1
        } while !token.isEmpty
        #expect(seen == seen.sorted())
        #expect(Set(seen).count == seen.count, "no duplicates")
        let evens = (0..<45).map { "paged-\(String(format: "%03d", $0 * 2))" }
        #expect(Set(evens).isSubset(of: Set(seen)), "no gaps")

        // The last page carries no token; a page exactly full still ends.
        let all = try await registry.searchRegisteredModels(.init(filter: "name LIKE 'paged-%'", maxResults: 1000))
        #expect(all.nextPageToken.isEmpty)
    }

    @Test func versionPagesByDefaultOrder() async throws {
        _ = try await registry.createRegisteredModel(.init(name: "paged-versions"))
        for _ in 0..<7 { _ = try await registry.createModelVersion(.init(name: "paged-versions")) }
        var seen: [Int64] = []
        var token = ""
        repeat {
            let page = try await registry.searchModelVersions(
                .init(filter: "name = 'paged-versions'", maxResults: 3, pageToken: token)
            )
            seen += page.modelVersions.map(\.version)
            token = page.nextPageToken
        } while !token.isEmpty
        #expect(Set(seen) == Set(1...7))
        #expect(seen.count == 7)
    }
}
