package import Logging
import MLOpsMessages
package import MLOpsPostgres
package import MLOpsServiceConfiguration
package import MLOpsServiceRuntime
import RegistryRules

/// `model-registry`: the MLflow-style registry (shared/specs/registry.md).
package struct RegistryApplication: ServiceApplication {
    package static let executable = "model-registry"
    package static let rpcServiceName = ModelRegistryMethods.serviceName
    package static let migrator = RegistryMigrations.migrator

    let policy: RegistryPolicy
    let logger: Logger

    package init(settings: RegistrySettings, common: ServiceSettings, logger: Logger) throws {
        policy = try (settings.policy ?? .default).validated()
        self.logger = logger
    }

    /// The handlers, and the hub that tells watchers of every replica's changes.
    package func components(pool: PostgresPool) -> ServiceComponents {
        let store = RegistryStore(pool: pool, cache: RegistryReadCache())
        let hub = RegistryEventHub(store: store, configuration: pool.configuration, logger: logger)
        return ServiceComponents(
            rpcServices: [RegistryHandlers(store: store, hub: hub, policy: policy)],
            services: [hub]
        )
    }
}
