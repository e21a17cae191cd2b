import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC
import MLOpsTestSupport
import Testing

@Suite("The registry process: health while its database is down, and SIGTERM")
struct LifecycleTests {
    @Test func everyCallIsUnavailableWhileTheDatabaseIsDownAndTheFirstAfterItReturnsSucceeds() async throws {
        let cluster = try TemporaryPostgres.start()
        defer { cluster.stop() }
        let registry = try await RunningRegistry.start(
            count: 1,
            database: TestDatabase(cluster: cluster, name: try cluster.createDatabase("faults"))
        )
        let client = try registry.client("admin")
        _ = try await client.createRegisteredModel(.init(name: "m"))
        // Several calls at once, so the pool holds several connections when the server goes.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { _ = try await client.createModelVersion(.init(name: "m", source: "s3://m")) }
            }
            try await group.waitForAll()
        }

        try cluster.stopServer()
        let calls: [(String, @Sendable () async throws -> Void)] = [
            ("create version", { _ = try await client.createModelVersion(.init(name: "m", source: "s3://m")) }),
            (
                "transition",
                {
                    _ = try await client.transitionModelVersionStage(
                        .init(name: "m", version: 1, stage: "Production", archiveExistingVersions: true)
                    )
                }
            ),
            ("create model", { _ = try await client.createRegisteredModel(.init(name: "m2")) }),
            ("get model", { _ = try await client.getRegisteredModel(.init(name: "m")) }),
            ("set alias", { _ = try await client.setRegisteredModelAlias(.init(name: "m", alias: "a", version: 1)) }),
            ("search", { _ = try await client.searchModelVersions(.init(filter: "name = 'm'")) }),
        ]
        for (name, call) in calls {
            let error = await rpcError(call)
            #expect(error?.code == .unavailable, "\(name): \(String(describing: error))")
            #expect(error?.message.contains("connect") == false, "\(name): database text reached the caller")
        }

        try cluster.startServer()
        // The pooled connections died with the server: none of them is lent again.
        for index in 0..<10 {
            let error = await rpcError { _ = try await client.getRegisteredModel(.init(name: "m")) }
            #expect(error == nil, "call \(index) after the restart: \(String(describing: error))")
        }
        _ = try await client.createModelVersion(.init(name: "m", source: "s3://m"))
        await registry.stop()
    }

    @Test func notServingWhileTheDatabaseIsDownThenServingAgain() async throws {
        let cluster = try TemporaryPostgres.start()
        defer { cluster.stop() }
        let registry = try await RunningRegistry.start(
            count: 1,
            database: TestDatabase(cluster: cluster, name: try cluster.createDatabase("lifecycle"))
        )
        let health = HealthClient(try registry.rpcClient("serving"))
        func status() async throws -> ServingStatus {
            try await health.check(.init(service: "mlops.v1.ModelRegistry")).status
        }
        func wait(for wanted: ServingStatus) async throws -> ServingStatus {
            var seen = try await status()
            let deadline = ContinuousClock.now + .seconds(15)
            while seen != wanted, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                seen = try await status()
            }
            return seen
        }
        #expect(try await status() == .serving)

        try cluster.stopServer()
        #expect(try await wait(for: .notServing) == .notServing)
        // What a container engine's health check and a Kubernetes probe run.
        let (notServing, explained) = try await registry.healthCheck()
        #expect(notServing == 1, "\(explained)")
        #expect(explained.contains("NOT_SERVING") && explained.contains("database"), "\(explained)")
        // A liveness probe: alive all the same, so the outage restarts nothing.
        let (alive, said) = try await registry.healthCheck(flags: ["--alive"])
        #expect(alive == 0, "\(said)")
        let reason = try await health.check(.init(service: "mlops.v1.ModelRegistry")).reason
        #expect(reason.contains("database"))
        let client = try registry.client("admin")
        #expect(await statusCode { _ = try await client.getRegisteredModel(.init(name: "m")) } == .unavailable)

        try cluster.startServer()
        #expect(try await wait(for: .serving) == .serving)
        _ = try await client.createRegisteredModel(.init(name: "after-restart"))
        await registry.stop()
    }

    @Test func sigtermEndsWatchesAndExitsCleanly() async throws {
        let cluster = try TemporaryPostgres.start()
        defer { cluster.stop() }
        let registry = try await RunningRegistry.start(
            count: 1,
            database: TestDatabase(cluster: cluster, name: try cluster.createDatabase("sigterm"))
        )
        let client = try registry.client("admin")
        _ = try await client.createRegisteredModel(.init(name: "watched-at-shutdown"))
        var events = client.watchModelVersions(.init(name: "watched-at-shutdown")).makeAsyncIterator()
        #expect(try await events.next()?.kind == .snapshotComplete)

        registry.replicas[0].process.signal(SIGTERM)
        let ended = await rpcError { while try await events.next() != nil {} }
        #expect(ended?.code == .unavailable)
        let status = await registry.replicas[0].process.exitStatus(waitingUpTo: .seconds(20))
        #expect(status == 0, "\(registry.replicas[0].process.log)")
    }

    /// A call that cannot finish (its statement waits on a lock held
    /// elsewhere) does not keep the process up once the shutdown's grace
    /// period and the cancellation after it have passed; it used to wait for
    /// the call forever. (The statement already sent is PostgreSQL's to
    /// finish: once the lock frees, the version may still be written, as for
    /// any call whose caller heard UNAVAILABLE mid-flight.)
    @Test func aStuckCallDoesNotKeepSigtermFromEndingTheProcess() async throws {
        let cluster = try TemporaryPostgres.start()
        defer { cluster.stop() }
        let database = TestDatabase(cluster: cluster, name: try cluster.createDatabase("stuck"))
        let registry = try await RunningService.start(
            "model-registry",
            serving: "mlops.v1.ModelRegistry",
            count: 1,
            database: database,
            extraSettings: "\"shutdownGraceSeconds\": 1"
        )
        let client = try registry.client("admin")
        _ = try await client.createRegisteredModel(.init(name: "locked"))
        let holder = try PostgresConnection(configuration: database.configuration)
        try holder.query("BEGIN")
        try holder.query("SELECT id FROM registered_models WHERE name = \("locked") FOR UPDATE")
        let stuck = Task { await statusCode { _ = try await client.createModelVersion(.init(name: "locked")) } }
        try await Task.sleep(for: .milliseconds(500))

        registry.replicas[0].process.signal(SIGTERM)
        let status = await registry.replicas[0].process.exitStatus(waitingUpTo: .seconds(20))
        try holder.query("ROLLBACK")
        #expect(status != nil, "still running 20 s after SIGTERM: \(registry.replicas[0].process.log)")
        #expect(await stuck.value == .unavailable)
    }

    /// A port another process holds ends the process with the bind error; it
    /// used to wait forever for its metrics endpoint to stop.
    @Test func aTakenPortEndsTheProcessWithAnError() async throws {
        let cluster = try TemporaryPostgres.start()
        defer { cluster.stop() }
        let database = TestDatabase(cluster: cluster, name: try cluster.createDatabase("taken"))
        let registry = try await RunningRegistry.start(count: 1, database: database)
        let identity = try registry.identityFiles("model-registry")
        let second = try ServiceProcess(
            "model-registry",
            [
                "--host", "127.0.0.1", "--port", String(registry.replicas[0].port), "--metrics-port",
                String(try FreeTCPPort.find()), "--tls-certificate", identity.certificatePath, "--tls-key",
                identity.keyPath, "--tls-ca", registry.authority.authorityPath,
            ],
            environment: database.serviceEnvironment
        )
        let status = await second.exitStatus(waitingUpTo: .seconds(30))
        #expect(status != nil && status != 0, "\(second.log)")
        #expect(second.log.contains("Address already in use"), "\(second.log)")
        await registry.stop()
    }
}
