import Foundation
import Logging
import MLOpsPostgres
package import MLOpsRPC
import MLOpsServiceConfiguration
package import MLOpsServiceRuntime
import ServiceLifecycle
package import Testing

/// A service's handlers in the test process, over the suite's database:
/// built as its executable builds them (from `settings`, its part of the
/// configuration file), migrated, its lifecycle services running, called
/// through `InProcessChannel`s as any identity. No certificates, no processes.
package final class InProcessService: Sendable {
    @TaskLocal package static var current: InProcessService?

    private let rpcServices: [any RPCService]
    private let pool: PostgresPool
    private let lifecycle: Task<Void, Never>

    package static func start<Application: ServiceApplication>(
        _: Application.Type,
        settings: String = "{}",
        database: TestDatabase
    ) async throws -> InProcessService {
        let logger = Logger(label: Application.executable)
        let own = try ServiceSettings.decode(Application.Settings.self, from: Data(settings.utf8))
        let application = try Application(settings: own, common: ServiceSettings(), logger: logger)
        var configuration = database.configuration
        configuration.applicationName = Application.executable
        let pool = PostgresPool(configuration: configuration, logger: logger)
        do {
            _ = try await Application.migrator.migrate(pool)
            let components = try application.components(pool: pool)
            let services = components.services
            let lifecycle = Task {
                await withDiscardingTaskGroup { group in
                    for service in services { group.addTask { try? await service.run() } }
                }
            }
            return InProcessService(rpcServices: components.rpcServices, pool: pool, lifecycle: lifecycle)
        } catch {
            pool.close()
            throw error
        }
    }

    private init(rpcServices: [any RPCService], pool: PostgresPool, lifecycle: Task<Void, Never>) {
        self.rpcServices = rpcServices
        self.pool = pool
        self.lifecycle = lifecycle
    }

    /// Calls the handlers as `identity`; nil calls without a certificate.
    package func channel(_ identity: String?) -> InProcessChannel {
        InProcessChannel(services: rpcServices, identity: identity)
    }

    package func stop() async {
        lifecycle.cancel()
        await lifecycle.value
        pool.close()
    }
}

/// Runs the suite against a service's handlers in process (`InProcessService.current`).
package struct InProcessServiceTrait: SuiteTrait, TestScoping {
    private let start: @Sendable (TestDatabase) async throws -> InProcessService

    package init<Application: ServiceApplication>(_: Application.Type, settings: String = "{}") {
        start = { database in try await InProcessService.start(Application.self, settings: settings, database: database)
        }
    }

    package func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let database = try #require(TestDatabase.current, "list .temporaryPostgres before the in-process service")
        let service = try await start(database)
        try await stopping(service.stop) {
            try await InProcessService.$current.withValue(service) { try await function() }
        }
    }
}
