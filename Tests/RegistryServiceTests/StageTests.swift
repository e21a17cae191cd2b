import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTestSupport
import Testing

@Suite("Stages, archiving and latest versions", .temporaryPostgres, .registryInProcess())
struct StageTransitionTests {
    let registry: ModelRegistryClient

    init() throws {
        registry = try #require(InProcessService.current).client("admin")
    }

    private func stages(_ name: String) async throws -> [String] {
        try await registry.searchModelVersions(.init(filter: "name = '\(name)'", orderBy: ["version_number"]))
            .modelVersions.map(\.currentStage)
    }

    @Test func stagesAreCanonicalisedAndNotTrimmed() async throws {
        try await registry.createModel("canonical", versions: 1)
        for (input, stored) in [("STAGING", "Staging"), ("production", "Production"), ("nOnE", "None")] {
            let moved = try await registry.transitionModelVersionStage(
                .init(name: "canonical", version: 1, stage: input)
            ).modelVersion!
            #expect(moved.currentStage == stored)
        }
        for bad in ["prod", " Production", "Production ", ""] {
            let error = await rpcError {
                _ = try await registry.transitionModelVersionStage(.init(name: "canonical", version: 1, stage: bad))
            }
            #expect(error?.code == .invalidArgument)
            #expect(
                error?.message
                    == "Invalid Model Version stage: \(bad). Value must be one of None, Staging, Production, Archived."
            )
        }
    }

    @Test func sameStageStillBumpsTimestampsAndPromotionIsRecorded() async throws {
        try await registry.createModel("bump", versions: 1)
        let first = try await registry.transitionModelVersionStage(
            .init(name: "bump", version: 1, stage: "Production", comment: "ship it", decisionId: "d-1")
        )
        #expect(first.modelVersion!.promotedBy == "admin")
        #expect(first.modelVersion!.promotedAt == first.modelVersion!.lastUpdatedTimestamp)
        #expect(first.transition!.fromStage == "None" && first.transition!.toStage == "Production")
        #expect(first.transition!.decisionId == "d-1" && first.transition!.comment == "ship it")
        try await Task.sleep(for: .milliseconds(5))
        let again = try await registry.transitionModelVersionStage(.init(name: "bump", version: 1, stage: "Production"))
        #expect(again.modelVersion!.lastUpdatedTimestamp > first.modelVersion!.lastUpdatedTimestamp)
        let model = try await registry.getRegisteredModel(.init(name: "bump")).registeredModel!
        #expect(model.lastUpdatedTimestamp == again.modelVersion!.lastUpdatedTimestamp)
    }

    @Test func archivingMovesOnlyOthersInTheTargetStage() async throws {
        try await registry.createModel("archiving", versions: 4)
        for (version, stage) in [(1, "Production"), (2, "Production"), (3, "Staging")] {
            _ = try await registry.transitionModelVersionStage(
                .init(name: "archiving", version: Int64(version), stage: stage)
            )
        }
        let result = try await registry.transitionModelVersionStage(
            .init(name: "archiving", version: 4, stage: "Production", archiveExistingVersions: true)
        )
        #expect(result.archivedVersions.map(\.version) == [1, 2])
        #expect(try await stages("archiving") == ["Archived", "Archived", "Staging", "Production"])
        let history = try await registry.listTransitions(.init(name: "archiving")).transitions
        let archiving = history.filter { $0.archivedByVersion == 4 }
        #expect(archiving.map(\.version).sorted() == [1, 2])
        #expect(archiving.allSatisfy { $0.timestamp == result.transition!.timestamp && $0.toStage == "Archived" })
    }

    @Test(arguments: ["None", "Archived"])
    func archivingOnlyTowardsStagingOrProduction(stage: String) async throws {
        try await registry.createModel("archive-\(stage)", versions: 1)
        let error = await rpcError {
            _ = try await registry.transitionModelVersionStage(
                .init(name: "archive-\(stage)", version: 1, stage: stage, archiveExistingVersions: true)
            )
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("archive_existing_versions") == true)
        #expect(try await stages("archive-\(stage)") == ["None"])
    }

    @Test func aMissingTargetChangesNothing() async throws {
        try await registry.createModel("missing-target", versions: 1)
        _ = try await registry.transitionModelVersionStage(
            .init(name: "missing-target", version: 1, stage: "Production")
        )
        let error = await rpcError {
            _ = try await registry.transitionModelVersionStage(
                .init(name: "missing-target", version: 7, stage: "Production", archiveExistingVersions: true)
            )
        }
        #expect(error?.code == .notFound)
        #expect(try await stages("missing-target") == ["Production"])
    }

    @Test func changesBatchedTogetherSucceedOrFailEachOnItsOwn() async throws {
        try await registry.createModel("batched", versions: 10)
        let codes = try await withThrowingTaskGroup(of: (Int64, StatusCode?).self) { group in
            for version in Int64(1)...15 {
                group.addTask {
                    let code = await statusCode {
                        _ = try await registry.transitionModelVersionStage(
                            .init(name: "batched", version: version, stage: "Staging")
                        )
                    }
                    return (version, code)
                }
            }
            return try await group.reduce(into: [Int64: StatusCode?]()) { $0[$1.0] = $1.1 }
        }
        #expect((1...10).allSatisfy { codes[Int64($0)] == .some(nil) })
        #expect((11...15).allSatisfy { codes[Int64($0)] == .some(.notFound) })
        #expect(try await stages("batched") == Array(repeating: "Staging", count: 10))

        // Creates batched together keep their own tags and sources.
        let created = try await withThrowingTaskGroup(of: ModelVersion.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await registry.createModelVersion(
                        .init(
                            name: "batched",
                            source: "s3://b/\(index)",
                            tags: ["i": "\(index)"],
                            f1Score: Double(index)
                        )
                    ).modelVersion!
                }
            }
            return try await group.reduce(into: [ModelVersion]()) { $0.append($1) }
        }
        #expect(Set(created.map(\.version)) == Set(11...30))
        for version in created {
            let stored = try await registry.getModelVersion(.init(name: "batched", version: version.version))
                .modelVersion!
            #expect(stored.tags == version.tags)
            #expect(stored.source == "s3://b/\(version.tags["i"]!)")
            #expect(stored.f1Score == Double(version.tags["i"]!))
        }
    }

    @Test func latestVersions() async throws {
        try await registry.createModel("latest", versions: 5)
        for (version, stage) in [(1, "Production"), (2, "Staging"), (3, "Production"), (4, "Archived")] {
            _ = try await registry.transitionModelVersionStage(
                .init(name: "latest", version: Int64(version), stage: stage)
            )
        }
        let all = try await registry.getLatestVersions(.init(name: "latest")).modelVersions
        #expect(all.map(\.currentStage) == ["None", "Staging", "Production", "Archived"])
        #expect(all.map(\.version) == [5, 2, 3, 4])
        let some = try await registry.getLatestVersions(.init(name: "latest", stages: ["production", "STAGING"]))
        #expect(some.modelVersions.map(\.version) == [2, 3])
        _ = try await registry.deleteModelVersion(.init(name: "latest", version: 3))
        let afterDelete = try await registry.getLatestVersions(.init(name: "latest", stages: ["Production"]))
        #expect(afterDelete.modelVersions.map(\.version) == [1])

        try await registry.createModel("latest-empty", versions: 0)
        #expect(try await registry.getLatestVersions(.init(name: "latest-empty")).modelVersions.isEmpty)
        #expect(await statusCode { _ = try await registry.getLatestVersions(.init(name: "nope")) } == .notFound)
        #expect(
            await statusCode { _ = try await registry.getLatestVersions(.init(name: "latest", stages: ["Prod"])) }
                == .invalidArgument
        )
        let model = try await registry.getRegisteredModel(.init(name: "latest")).registeredModel!
        #expect(model.latestVersions.map(\.version) == [5, 2, 1, 4])
    }
}

@Suite(
    "Racing promotions on two replicas leave one version in Production",
    .temporaryPostgres,
    .runningRegistry(replicas: 2)
)
struct ConcurrentPromotionTests {
    /// The gate's identity on each replica, and an admin client; `model` created with `versions` versions.
    private func model(_ model: String, versions: Int) async throws -> ([ModelRegistryClient], ModelRegistryClient) {
        let running = try #require(RunningRegistry.current)
        let replicas = [
            try running.client("retraining-gate", replica: 0), try running.client("retraining-gate", replica: 1),
        ]
        let admin = try running.client("admin")
        _ = try await admin.createRegisteredModel(.init(name: model))
        for _ in 0..<versions { _ = try await admin.createModelVersion(.init(name: model)) }
        return (replicas, admin)
    }

    @Test func sixteenPromotionsWithArchiving() async throws {
        let (replicas, admin) = try await model("raced", versions: 16)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for version in 1...16 {
                let client = replicas[version % 2]
                group.addTask {
                    _ = try await client.transitionModelVersionStage(
                        .init(
                            name: "raced",
                            version: Int64(version),
                            stage: "Production",
                            archiveExistingVersions: true
                        )
                    )
                }
            }
            try await group.waitForAll()
        }
        let versions = try await admin.searchModelVersions(.init(filter: "name = 'raced'")).modelVersions
        let production = versions.filter { $0.currentStage == "Production" }
        #expect(production.count == 1)
        #expect(versions.filter { $0.currentStage == "Archived" }.count == 15)

        // The history is complete: 16 promotions, and each archiving names its cause.
        let history = try await admin.listTransitions(.init(name: "raced", maxResults: 1000)).transitions
        let promotions = history.filter { $0.archivedByVersion == 0 }
        #expect(Set(promotions.map(\.version)) == Set(1...16))
        #expect(history.allSatisfy { $0.actor == "retraining-gate" })
        // Replaying the history in commit order gives today's stages.
        var replayed: [Int64: String] = [:]
        for transition in history.reversed() { replayed[transition.version] = transition.toStage }
        #expect(replayed.filter { $0.value == "Production" }.map(\.key) == production.map(\.version))
    }

    /// The same versions promoted again and again, many at once: changes to
    /// one version meet in one batch, and every one of them succeeds.
    @Test func repeatedPromotionsOfTheSameVersionsAllSucceed() async throws {
        let (replicas, admin) = try await model("cycled", versions: 5)

        let failures = try await withThrowingTaskGroup(of: String?.self) { group in
            for call in 0..<96 {
                let client = replicas[call % 2]
                group.addTask {
                    do {
                        _ = try await client.transitionModelVersionStage(
                            .init(
                                name: "cycled",
                                version: Int64(call % 5 + 1),
                                stage: "Production",
                                archiveExistingVersions: true
                            )
                        )
                        return nil
                    } catch {
                        return "v\(call % 5 + 1): \(error)"
                    }
                }
            }
            return try await group.reduce(into: [String]()) { if let failure = $1 { $0.append(failure) } }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        let versions = try await admin.searchModelVersions(.init(filter: "name = 'cycled'")).modelVersions
        #expect(versions.filter { $0.currentStage == "Production" }.count == 1)

        // Every promotion is in the history, and replaying it in commit order gives today's stages.
        let history = try await admin.listTransitions(.init(name: "cycled", maxResults: 1000)).transitions
        #expect(history.filter { $0.archivedByVersion == 0 }.count == 96)
        expectHistory(history, replaysTo: versions)
    }

    /// Sustained changes of every kind, to versions that exist and some that
    /// do not, from many callers on both replicas: batches form on each and
    /// interleave with the other's. Each caller hears what was stored, and
    /// the history stays a chain that ends in today's stages.
    @Test func sustainedChangesOnBothReplicasAgreeWithTheHistory() async throws {
        let (replicas, admin) = try await model("sustained", versions: 12)
        let stages = ["Production", "Staging", "None", "Production", "Archived", "Staging", "Production"]
        let heard = try await withThrowingTaskGroup(of: (fromStages: [Int64: String], failures: [String]).self) {
            group in
            for caller in 0..<16 {
                let client = replicas[caller % 2]
                group.addTask {
                    var fromStages: [Int64: String] = [:]
                    var failures: [String] = []
                    for call in 0..<25 {
                        let n = caller * 25 + call
                        // Versions 13 and 14 do not exist.
                        let (version, stage) = (Int64(n % 14 + 1), stages[n % stages.count])
                        let archive = stage == "Production" || (stage == "Staging" && n % 3 == 0)
                        let request = TransitionModelVersionStageRequest(
                            name: "sustained",
                            version: version,
                            stage: stage,
                            archiveExistingVersions: archive
                        )
                        do {
                            let response = try await client.transitionModelVersionStage(request)
                            let transition = try #require(response.transition)
                            fromStages[transition.id] = transition.fromStage
                            if version > 12 || response.modelVersion?.currentStage != stage {
                                failures.append("v\(version) → \(stage): \(response)")
                            }
                        } catch let error as RPCError where error.code == .notFound && version > 12 {
                        } catch {
                            failures.append("v\(version) → \(stage): \(error)")
                        }
                    }
                    return (fromStages, failures)
                }
            }
            return try await group.reduce(into: (fromStages: [Int64: String](), failures: [String]())) {
                $0.fromStages.merge($1.fromStages) { first, _ in first }
                $0.failures += $1.failures
            }
        }
        #expect(heard.failures.isEmpty, "\(heard.failures.prefix(5))")
        let versions = try await admin.searchModelVersions(.init(filter: "name = 'sustained'")).modelVersions
        #expect(versions.filter { $0.currentStage == "Production" }.count <= 1)

        // Replaying the history in commit order gives today's stages; each caller heard its row's from-stage.
        let history = try await admin.listTransitions(.init(name: "sustained", maxResults: 1000)).transitions
        #expect(history.filter { $0.archivedByVersion == 0 }.count == heard.fromStages.count)
        expectHistory(history, replaysTo: versions)
        for transition in history where transition.archivedByVersion == 0 {
            #expect(heard.fromStages[transition.id] == transition.fromStage, "\(transition)")
        }
    }

    /// Replayed in commit order (the history comes newest first), each row
    /// starts where the one before it about the same version ended, and the
    /// last of each gives that version's stage today.
    private func expectHistory(_ history: [Transition], replaysTo versions: [ModelVersion]) {
        var replayed: [Int64: String] = [:]
        for transition in history.reversed() {
            #expect(replayed[transition.version, default: "None"] == transition.fromStage, "\(transition)")
            replayed[transition.version] = transition.toStage
        }
        #expect(replayed == Dictionary(uniqueKeysWithValues: versions.map { ($0.version, $0.currentStage) }))
    }
}
