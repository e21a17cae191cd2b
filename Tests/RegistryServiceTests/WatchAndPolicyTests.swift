import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTestSupport
import Testing

@Suite("Watching changes across replicas", .temporaryPostgres, .runningRegistry(replicas: 2))
struct WatchTests {
    @Test func aWatcherOnOneReplicaSeesChangesMadeThroughTheOther() async throws {
        let running = try #require(RunningRegistry.current)
        let writer = try running.client("admin", replica: 0)
        let watcher = try running.client("serving", replica: 1)
        _ = try await writer.createRegisteredModel(.init(name: "watched"))
        _ = try await writer.createModelVersion(.init(name: "watched"))
        _ = try await writer.transitionModelVersionStage(.init(name: "watched", version: 1, stage: "Production"))
        _ = try await writer.createRegisteredModel(.init(name: "unwatched"))
        _ = try await writer.createModelVersion(.init(name: "unwatched"))

        var events = watcher.watchModelVersions(.init(name: "watched")).makeAsyncIterator()
        let snapshot = try await events.next()
        #expect(snapshot?.kind == .snapshot)
        #expect(snapshot?.modelVersion?.version == 1 && snapshot?.modelVersion?.currentStage == "Production")
        #expect(try await events.next()?.kind == .snapshotComplete)

        _ = try await writer.createModelVersion(.init(name: "watched"))
        _ = try await writer.transitionModelVersionStage(.init(name: "unwatched", version: 1, stage: "Staging"))
        _ = try await writer.transitionModelVersionStage(
            .init(name: "watched", version: 2, stage: "Production", archiveExistingVersions: true, decisionId: "d-42")
        )
        _ = try await writer.setRegisteredModelAlias(.init(name: "watched", alias: "champion", version: 2))
        _ = try await writer.deleteModelVersion(.init(name: "watched", version: 1))

        var received: [ModelVersionEvent] = []
        while received.count < 4, let event = try await events.next() { received.append(event) }
        // Commit order: the promotion, the archiving it caused, the alias, the deletion.
        #expect(received.map(\.kind) == [.changed, .changed, .changed, .deleted])
        #expect(received[0].transition?.toStage == "Production" && received[0].transition?.decisionId == "d-42")
        #expect(received[0].modelVersion?.version == 2)
        #expect(received[1].transition?.archivedByVersion == 2 && received[1].modelVersion?.version == 1)
        #expect(received[2].transition?.kind == .aliasSet && received[2].modelVersion?.aliases == ["champion"])
        #expect(received[3].modelVersion?.version == 1 && received[3].modelVersion?.name == "watched")
        #expect(received.allSatisfy { $0.modelVersion?.name == "watched" })
    }

    @Test func watchingAnUnknownModelIsNotFound() async throws {
        let running = try #require(RunningRegistry.current)
        let watcher = try running.client("serving")
        let error = await rpcError {
            for try await _ in watcher.watchModelVersions(.init(name: "never-created")) {}
        }
        #expect(error?.code == .notFound)
    }
}

@Suite("Who may write, by caller identity", .temporaryPostgres, .registryInProcess())
struct DefaultPolicyTests {
    @Test func defaults() async throws {
        let running = try #require(InProcessService.current)
        let trainer = running.client("trainer")
        let gate = running.client("retraining-gate")
        let serving = running.client("serving")

        let model = try await trainer.createRegisteredModel(.init(name: "guarded")).registeredModel!
        #expect(model.createdBy == "trainer")
        let version = try await trainer.createModelVersion(.init(name: "guarded")).modelVersion!
        #expect(version.createdBy == "trainer")
        let staged = try await trainer.transitionModelVersionStage(.init(name: "guarded", version: 1, stage: "Staging"))
        #expect(staged.transition?.actor == "trainer")

        let denied = await rpcError {
            _ = try await trainer.transitionModelVersionStage(.init(name: "guarded", version: 1, stage: "Production"))
        }
        #expect(denied?.code == .permissionDenied)
        #expect(denied?.message == "Identity 'trainer' may not move versions to Production.")
        #expect(
            await statusCode { _ = try await serving.createModelVersion(.init(name: "guarded")) } == .permissionDenied
        )
        #expect(
            await statusCode {
                _ = try await serving.setRegisteredModelAlias(.init(name: "guarded", alias: "x", version: 1))
            } == .permissionDenied
        )
        // A denied call changed nothing; reads are open to any authenticated caller.
        #expect(
            try await serving.getModelVersion(.init(name: "guarded", version: 1)).modelVersion!.currentStage
                == "Staging"
        )

        let promoted = try await gate.transitionModelVersionStage(
            .init(name: "guarded", version: 1, stage: "Production", decisionId: "decision-7")
        )
        #expect(promoted.modelVersion?.promotedBy == "retraining-gate")
        let timeline = try await serving.listTransitions(.init(name: "guarded", version: 1)).transitions
        #expect(timeline.map(\.actor) == ["retraining-gate", "trainer"])
        #expect(timeline.first?.decisionId == "decision-7")
    }
}

@Suite(
    "A configured policy",
    .temporaryPostgres,
    .registryInProcess(
        policy: """
            {"modelWriters": ["*"], "versionWriters": ["ci"], "aliasWriters": ["ci"],
             "stageWriters": {"Production": ["release-bot"], "Staging": ["ci"], "None": [], "Archived": []}}
            """
    )
)
struct ConfiguredPolicyTests {
    @Test func allowsAndDeniesAsConfigured() async throws {
        let running = try #require(InProcessService.current)
        let anyone = running.client("someone")
        let ci = running.client("ci")
        let bot = running.client("release-bot")
        let admin = running.client("admin")

        _ = try await anyone.createRegisteredModel(.init(name: "configured"))
        #expect(
            await statusCode { _ = try await admin.createModelVersion(.init(name: "configured")) } == .permissionDenied
        )
        _ = try await ci.createModelVersion(.init(name: "configured"))
        _ = try await ci.transitionModelVersionStage(.init(name: "configured", version: 1, stage: "Staging"))
        #expect(
            await statusCode {
                _ = try await admin.transitionModelVersionStage(
                    .init(name: "configured", version: 1, stage: "Production")
                )
            } == .permissionDenied
        )
        _ = try await bot.transitionModelVersionStage(.init(name: "configured", version: 1, stage: "Production"))
        #expect(
            await statusCode {
                _ = try await bot.transitionModelVersionStage(.init(name: "configured", version: 1, stage: "Archived"))
            } == .permissionDenied
        )
    }
}
