package import Logging
package import MLOpsPostgres
package import MLOpsRPC
package import MLOpsServiceConfiguration
package import ServiceLifecycle

/// One of the control plane's services as its executable runs it, shaped
/// like hummingbird's `ApplicationProtocol`: who it is, its own part of the
/// configuration file, its migrations, and what it serves once its database
/// is ready. `ServiceRuntime` does the rest the same way for every service.
package protocol ServiceApplication: Sendable {
    /// The service's own keys of the configuration file, each optional:
    /// a service started without a file reads them from `{}`.
    associatedtype Settings: Decodable & Sendable

    /// The executable's name, e.g. `model-registry`: the database application name too.
    static var executable: String { get }
    /// The fully qualified RPC service, e.g. `mlops.v1.ModelRegistry`, for health checks.
    static var rpcServiceName: String { get }
    static var migrator: Migrator { get }

    /// Checks the settings and builds what needs no database yet (clients of
    /// other services): a configuration that cannot work fails here, before
    /// the database is touched.
    init(settings: Settings, common: ServiceSettings, logger: Logger) throws

    /// What it serves over `pool`: its RPC services, and the lifecycle
    /// services that run beside the server (a scheduler, a retrier).
    func components(pool: PostgresPool) throws -> ServiceComponents
}

/// What a service runs once its database is ready.
package struct ServiceComponents {
    package var rpcServices: [any RPCService]
    package var services: [any Service]

    package init(rpcServices: [any RPCService], services: [any Service] = []) {
        self.rpcServices = rpcServices
        self.services = services
    }
}
