import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTestSupport
import Testing

@Suite("Aliases", .temporaryPostgres, .registryInProcess())
struct AliasTests {
    let registry: ModelRegistryClient

    init() throws {
        registry = try #require(InProcessService.current).client("admin")
    }

    @Test func setMoveResolveAndDelete() async throws {
        try await registry.createModel("aliased", versions: 3)
        _ = try await registry.setRegisteredModelAlias(.init(name: "aliased", alias: "champion", version: 1))
        _ = try await registry.setRegisteredModelAlias(.init(name: "aliased", alias: "Champion", version: 2))
        _ = try await registry.setRegisteredModelAlias(.init(name: "aliased", alias: "stable", version: 2))
        #expect(
            try await registry.getModelVersionByAlias(.init(name: "aliased", alias: "champion")).modelVersion!.version
                == 1
        )
        let two = try await registry.getModelVersionByAlias(.init(name: "aliased", alias: "Champion")).modelVersion!
        #expect(two.version == 2 && two.aliases == ["Champion", "stable"])

        // Setting an existing alias moves it; the history shows both sides.
        _ = try await registry.setRegisteredModelAlias(.init(name: "aliased", alias: "champion", version: 3))
        #expect(
            try await registry.getModelVersionByAlias(.init(name: "aliased", alias: "champion")).modelVersion!.version
                == 3
        )
        let moves = try await registry.listTransitions(.init(name: "aliased")).transitions.filter {
            $0.alias == "champion"
        }
        #expect(moves.map(\.kind) == [.aliasSet, .aliasDeleted, .aliasSet])
        #expect(moves.map(\.version) == [3, 1, 1])

        // `latest` is the highest live version, in any case.
        #expect(
            try await registry.getModelVersionByAlias(.init(name: "aliased", alias: "LATEST")).modelVersion!.version
                == 3
        )
        // Every read carries aliases, searches and latest versions included.
        let searched = try await registry.searchModelVersions(.init(filter: "name = 'aliased' AND version_number = 3"))
        #expect(searched.modelVersions.first?.aliases == ["champion"])
        let model = try await registry.getRegisteredModel(.init(name: "aliased")).registeredModel!
        #expect(model.latestVersions.first?.aliases == ["champion"])
        #expect(model.aliases.map(\.alias) == ["Champion", "champion", "stable"])

        // Deleting a version removes its aliases; `latest` moves down.
        _ = try await registry.deleteModelVersion(.init(name: "aliased", version: 3))
        let gone = await rpcError {
            _ = try await registry.getModelVersionByAlias(.init(name: "aliased", alias: "champion"))
        }
        #expect(gone?.code == .notFound)
        #expect(gone?.message.contains("champion") == true)
        #expect(
            try await registry.getModelVersionByAlias(.init(name: "aliased", alias: "latest")).modelVersion!.version
                == 2
        )

        _ = try await registry.deleteRegisteredModelAlias(.init(name: "aliased", alias: "stable"))
        _ = try await registry.deleteRegisteredModelAlias(.init(name: "aliased", alias: "never-set"))  // a no-op
        #expect(
            await statusCode { _ = try await registry.getModelVersionByAlias(.init(name: "aliased", alias: "stable")) }
                == .notFound
        )
        #expect(
            await statusCode { _ = try await registry.deleteRegisteredModelAlias(.init(name: "nope", alias: "x")) }
                == .notFound
        )
    }

    @Test(arguments: ["latest", "Latest", "v1", "V20", "", "has space", String(repeating: "a", count: 256)])
    func invalidAliases(alias: String) async throws {
        try await registry.createModel("reserved-\(alias.prefix(10))", versions: 1)
        let error = await rpcError {
            _ = try await registry.setRegisteredModelAlias(
                .init(name: "reserved-\(alias.prefix(10))", alias: alias, version: 1)
            )
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test func aliasToAMissingVersion() async throws {
        try await registry.createModel("alias-missing", versions: 1)
        let error = await rpcError {
            _ = try await registry.setRegisteredModelAlias(.init(name: "alias-missing", alias: "x", version: 2))
        }
        #expect(error?.code == .notFound)
        #expect(error?.message == "Model Version (name=alias-missing, version=2) not found")
        try await registry.createModel("no-versions", versions: 0)
        #expect(
            await statusCode {
                _ = try await registry.getModelVersionByAlias(.init(name: "no-versions", alias: "latest"))
            }
                == .notFound
        )
    }
}
