import Foundation
package import Logging
import MLOpsMessages
package import MLOpsPostgres
package import MLOpsServiceRuntime
package import RegistryRules

/// `model-registry`: the MLflow-style registry (shared/specs/registry.md).
package enum ModelRegistryService {
    package static let executable = "model-registry"
    package static let rpcService = ModelRegistryMethods.serviceName
    package static let migrator = RegistryMigrations.migrator

    /// The registry's own part of the configuration file.
    package struct Settings: Decodable, Sendable {
        /// Who may write; `RegistryPolicy.default` when absent.
        package var policy: RegistryPolicy?
    }

    /// The handlers and the change hub, over `pool`.
    package static func parts(pool: PostgresPool, policy: RegistryPolicy, logger: Logger) -> ServiceRuntime.Parts {
        let store = RegistryStore(pool: pool, cache: RegistryReadCache())
        let hub = RegistryEventHub(store: store, configuration: pool.configuration, logger: logger)
        let handlers = RegistryHandlers(store: store, hub: hub, policy: policy)
        return ServiceRuntime.Parts(register: handlers.register, services: [hub])
    }
}
