import MLOpsClient
import MLOpsMessages
import MLOpsTestSupport
import Testing

@Suite("Cached hot reads follow every write, on every replica", .temporaryPostgres, .runningRegistry(replicas: 2))
struct ReadCacheTests {
    @Test func aReplicaSeesItsOwnWritesAtOnce() async throws {
        let running = try #require(RunningRegistry.current)
        let registry = try running.client("admin", replica: 0)
        _ = try await registry.createRegisteredModel(.init(name: "own-writes"))
        for _ in 0..<2 { _ = try await registry.createModelVersion(.init(name: "own-writes")) }
        _ = try await registry.transitionModelVersionStage(.init(name: "own-writes", version: 1, stage: "Production"))
        _ = try await registry.setRegisteredModelAlias(.init(name: "own-writes", alias: "champion", version: 1))
        func production() async throws -> [Int64] {
            try await registry.getLatestVersions(.init(name: "own-writes", stages: ["Production"])).modelVersions
                .map(\.version)
        }
        func champion() async throws -> Int64 {
            try await registry.getModelVersionByAlias(.init(name: "own-writes", alias: "champion")).modelVersion!
                .version
        }
        // Read twice: the second answer comes from memory.
        #expect(try await production() == [1])
        #expect(try await production() == [1])
        #expect(try await champion() == 1)
        #expect(try await champion() == 1)

        _ = try await registry.transitionModelVersionStage(
            .init(name: "own-writes", version: 2, stage: "Production", archiveExistingVersions: true)
        )
        _ = try await registry.setRegisteredModelAlias(.init(name: "own-writes", alias: "champion", version: 2))
        #expect(try await production() == [2])
        #expect(try await champion() == 2)
        _ = try await registry.setModelVersionTag(.init(name: "own-writes", version: 2, key: "k", value: "v"))
        #expect(
            try await registry.getLatestVersions(.init(name: "own-writes", stages: ["Production"])).modelVersions.first?
                .tags == ["k": "v"]
        )
        _ = try await registry.createModelVersion(.init(name: "own-writes"))
        #expect(
            try await registry.getModelVersionByAlias(.init(name: "own-writes", alias: "latest")).modelVersion!.version
                == 3
        )
    }

    @Test func anotherReplicaSeesTheWriteOnceItsNotificationArrives() async throws {
        let running = try #require(RunningRegistry.current)
        let writer = try running.client("admin", replica: 0)
        let reader = try running.client("serving", replica: 1)
        _ = try await writer.createRegisteredModel(.init(name: "other-replica"))
        for _ in 0..<2 { _ = try await writer.createModelVersion(.init(name: "other-replica")) }
        _ = try await writer.transitionModelVersionStage(.init(name: "other-replica", version: 1, stage: "Production"))
        func production() async throws -> [Int64] {
            try await reader.getLatestVersions(.init(name: "other-replica", stages: ["Production"])).modelVersions
                .map(\.version)
        }
        #expect(try await production() == [1])
        #expect(try await production() == [1])  // now cached on the reader's replica

        _ = try await writer.transitionModelVersionStage(
            .init(name: "other-replica", version: 2, stage: "Production", archiveExistingVersions: true)
        )
        var seen = try await production()
        let deadline = ContinuousClock.now + .seconds(5)
        while seen != [2], ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            seen = try await production()
        }
        #expect(seen == [2])
    }
}
