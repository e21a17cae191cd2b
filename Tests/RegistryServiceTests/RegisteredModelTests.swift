import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTLSTransport
import MLOpsTestSupport
import Testing

@Suite("Registered models, versions and tags", .temporaryPostgres, .registryInProcess())
struct RegisteredModelTests {
    let registry: ModelRegistryClient

    init() throws {
        registry = try #require(InProcessService.current).client("admin")
    }

    @Test func createGetAndDuplicate() async throws {
        let created = try await registry.createRegisteredModel(
            .init(name: "Credit-Risk ✓", description: "first", tags: ["team": "risk"])
        ).registeredModel!
        #expect(created.name == "Credit-Risk ✓")
        #expect(created.createdBy == "admin")
        #expect(created.tags == ["team": "risk"])
        #expect(created.creationTimestamp > 1_700_000_000_000)
        #expect(created.creationTimestamp == created.lastUpdatedTimestamp)

        let fetched = try await registry.getRegisteredModel(.init(name: "Credit-Risk ✓")).registeredModel!
        #expect(fetched == created)

        let duplicate = await rpcError { _ = try await registry.createRegisteredModel(.init(name: "Credit-Risk ✓")) }
        #expect(duplicate?.code == .alreadyExists)
        #expect(duplicate?.message == "Registered Model (name=Credit-Risk ✓) already exists.")
        // Names are case-sensitive: another case is another model.
        _ = try await registry.createRegisteredModel(.init(name: "credit-risk ✓"))

        let missing = await rpcError { _ = try await registry.getRegisteredModel(.init(name: "nope")) }
        #expect(missing?.code == .notFound)
        #expect(missing?.message == "Registered Model with name=nope not found")
    }

    @Test func aKeyedWriteRetriedIsWrittenOnceAndAnsweredAgain() async throws {
        let model = try await registry.createRegisteredModel(.init(name: "keyed", idempotencyKey: "model-1"))
        let modelAgain = try await registry.createRegisteredModel(.init(name: "keyed", idempotencyKey: "model-1"))
        #expect(!model.replayed && modelAgain.replayed && modelAgain.registeredModel == model.registeredModel)

        let create = CreateModelVersionRequest(name: "keyed", source: "s3://keyed/1", idempotencyKey: "version-1")
        let first = try #require(try await registry.createModelVersion(create).modelVersion)
        let retry = try await registry.createModelVersion(create)
        #expect(retry.replayed && retry.modelVersion == first)
        // Written once: the next version is the second.
        #expect(
            try await registry.createModelVersion(.init(name: "keyed", source: "s3://keyed/2")).modelVersion?.version
                == 2
        )
        // The key with another request is refused; another identity's key is its own.
        var other = create
        other.source = "s3://keyed/other"
        #expect(await rpcError { _ = try await registry.createModelVersion(other) }?.code == .alreadyExists)
        let trainer = try #require(InProcessService.current).client("trainer")
        #expect(try await trainer.createModelVersion(create).modelVersion?.version == 3)

        let promote = TransitionModelVersionStageRequest(
            name: "keyed",
            version: 1,
            stage: "Production",
            archiveExistingVersions: true,
            idempotencyKey: "promote-1"
        )
        let promoted = try await registry.transitionModelVersionStage(promote)
        _ = try await registry.transitionModelVersionStage(.init(name: "keyed", version: 2, stage: "Production"))
        // A retry after version 2 went to Production answers as before and moves nothing back.
        let again = try await registry.transitionModelVersionStage(promote)
        #expect(again.replayed && again.transition == promoted.transition)
        #expect(
            try await registry.getModelVersion(.init(name: "keyed", version: 2)).modelVersion?.currentStage
                == "Production"
        )
        let history = try await registry.listTransitions(.init(name: "keyed", version: 1))
        #expect(history.transitions.filter { $0.toStage == "Production" }.count == 1)
    }

    @Test func aNameHoldingNULIsRefusedNotCutShort() async throws {
        // "x\0suffix", as a client in another language may send it; protobuf-c alone would read "x".
        let rpc = try #require(InProcessService.current).channel("admin")
        let refused = await rpcError {
            _ = try await rpc.unary(
                ModelRegistryMethods.createRegisteredModel.sendingRawBytes,
                RawMessage([0x0A, 0x08, 0x78, 0x00] + Array("suffix".utf8))
            )
        }
        #expect(refused?.code == .invalidArgument && refused?.message.contains("name") == true)
        let stored = await rpcError { _ = try await registry.getRegisteredModel(.init(name: "x")) }
        #expect(stored?.code == .notFound)
    }

    @Test(arguments: ["", "  ", "a/b", "a:b", ".", "..hidden", String(repeating: "x", count: 257)])
    func invalidNames(name: String) async throws {
        let error = await rpcError { _ = try await registry.createRegisteredModel(.init(name: name)) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func invalidTagsWriteNothing() async throws {
        let error = await rpcError {
            _ = try await registry.createRegisteredModel(.init(name: "tagged-badly", tags: ["ok": "1", "/bad": "2"]))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("/bad") == true)
        #expect(
            await statusCode { _ = try await registry.getRegisteredModel(.init(name: "tagged-badly")) } == .notFound
        )
    }

    @Test func updateRenameAndDelete() async throws {
        _ = try await registry.createRegisteredModel(.init(name: "to-rename", description: "old"))
        let v1 = try await registry.createModelVersion(.init(name: "to-rename", source: "s3://m/1")).modelVersion!
        _ = try await registry.setRegisteredModelAlias(.init(name: "to-rename", alias: "champion", version: 1))
        let updated = try await registry.updateRegisteredModel(.init(name: "to-rename", description: "new"))
            .registeredModel!
        #expect(updated.description == "new")
        #expect(updated.lastUpdatedTimestamp >= v1.lastUpdatedTimestamp)
        // Absent description changes nothing.
        let unchanged = try await registry.updateRegisteredModel(.init(name: "to-rename")).registeredModel!
        #expect(unchanged.description == "new")

        _ = try await registry.createRegisteredModel(.init(name: "taken"))
        #expect(
            await statusCode {
                _ = try await registry.renameRegisteredModel(.init(name: "to-rename", newName: "taken"))
            }
                == .alreadyExists
        )
        let renamed = try await registry.renameRegisteredModel(.init(name: "to-rename", newName: "renamed"))
            .registeredModel!
        #expect(renamed.name == "renamed")
        #expect(renamed.aliases == [RegisteredModelAlias(alias: "champion", version: 1)])
        let moved = try await registry.getModelVersion(.init(name: "renamed", version: 1)).modelVersion!
        #expect(moved.name == "renamed" && moved.source == "s3://m/1")
        let history = try await registry.listTransitions(.init(name: "renamed")).transitions
        #expect(history.map(\.alias) == ["champion"])
        #expect(await statusCode { _ = try await registry.getRegisteredModel(.init(name: "to-rename")) } == .notFound)
        _ = try await registry.createRegisteredModel(.init(name: "to-rename"))  // the old name is free

        _ = try await registry.deleteRegisteredModel(.init(name: "renamed"))
        #expect(await statusCode { _ = try await registry.getRegisteredModel(.init(name: "renamed")) } == .notFound)
        #expect(
            await statusCode { _ = try await registry.getModelVersion(.init(name: "renamed", version: 1)) } == .notFound
        )
    }

    @Test func versionNumbersAreNeverReused() async throws {
        _ = try await registry.createRegisteredModel(.init(name: "numbered"))
        for expected in 1...3 {
            let version = try await registry.createModelVersion(
                .init(name: "numbered", source: "s3://n/\(expected)", runId: "run-\(expected)", f1Score: 0.8)
            ).modelVersion!
            #expect(version.version == Int64(expected))
            #expect(version.currentStage == "None")
            #expect(version.status == .ready)
            #expect(version.createdBy == "admin")
            #expect(version.f1Score == 0.8 && version.brierScore == nil)
        }
        _ = try await registry.deleteModelVersion(.init(name: "numbered", version: 3))
        let next = try await registry.createModelVersion(.init(name: "numbered")).modelVersion!
        #expect(next.version == 4)
        for bad: Int64 in [3, -1, 0, 99] {
            let error = await rpcError { _ = try await registry.getModelVersion(.init(name: "numbered", version: bad)) }
            #expect(error?.code == .notFound)
            #expect(error?.message == "Model Version (name=numbered, version=\(bad)) not found")
        }
        // A model created again under the same name starts at 1; its history stays apart.
        _ = try await registry.transitionModelVersionStage(.init(name: "numbered", version: 1, stage: "Staging"))
        let oldHistory = try await registry.listTransitions(.init(name: "numbered")).transitions
        _ = try await registry.deleteRegisteredModel(.init(name: "numbered"))
        _ = try await registry.createRegisteredModel(.init(name: "numbered"))
        #expect(try await registry.createModelVersion(.init(name: "numbered")).modelVersion!.version == 1)
        _ = try await registry.transitionModelVersionStage(.init(name: "numbered", version: 1, stage: "Staging"))
        let newHistory = try await registry.listTransitions(.init(name: "numbered")).transitions
        #expect(newHistory.count == 1)
        #expect(newHistory[0].modelId != oldHistory[0].modelId)
    }

    @Test func concurrentCreatesNeverCollide() async throws {
        _ = try await registry.createRegisteredModel(.init(name: "busy"))
        let numbers = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<40 {
                group.addTask { try await registry.createModelVersion(.init(name: "busy")).modelVersion!.version }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(numbers.sorted() == Array(1...40))
    }

    @Test func tags() async throws {
        _ = try await registry.createRegisteredModel(.init(name: "tags"))
        _ = try await registry.createModelVersion(.init(name: "tags", tags: ["a": "1"]))
        _ = try await registry.setRegisteredModelTag(.init(name: "tags", key: "team", value: "risk"))
        _ = try await registry.setRegisteredModelTag(.init(name: "tags", key: "team", value: "fraud"))
        _ = try await registry.setRegisteredModelTag(.init(name: "tags", key: "empty", value: ""))
        _ = try await registry.deleteRegisteredModelTag(.init(name: "tags", key: "missing"))  // a no-op
        #expect(
            try await registry.getRegisteredModel(.init(name: "tags")).registeredModel!.tags == [
                "team": "fraud", "empty": "",
            ]
        )
        _ = try await registry.setModelVersionTag(.init(name: "tags", version: 1, key: "ns:path/key.x", value: "v"))
        _ = try await registry.deleteModelVersionTag(.init(name: "tags", version: 1, key: "a"))
        #expect(
            try await registry.getModelVersion(.init(name: "tags", version: 1)).modelVersion!.tags == [
                "ns:path/key.x": "v"
            ]
        )
        let bad = await rpcError {
            _ = try await registry.setModelVersionTag(.init(name: "tags", version: 1, key: "a//b"))
        }
        #expect(bad?.code == .invalidArgument)
        #expect(
            await statusCode { _ = try await registry.setModelVersionTag(.init(name: "tags", version: 9, key: "k")) }
                == .notFound
        )
        #expect(
            await statusCode { _ = try await registry.setRegisteredModelTag(.init(name: "nope", key: "k")) }
                == .notFound
        )
    }
}
