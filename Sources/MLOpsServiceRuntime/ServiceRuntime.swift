import Foundation
package import Logging
import MLOpsPostgres
import MLOpsRPC
package import MLOpsServiceConfiguration
import MLOpsTLS
import MLOpsTLSTransport
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// What every service executable does around its application: read its
/// configuration, connect to its database, apply its migrations, answer
/// health checks (NOT_SERVING while the database is down), serve RPC over
/// TLS, and on SIGTERM or SIGINT drain in-flight calls and stop.
package struct ServiceRuntime<Application: ServiceApplication> {
    package var settings: ServiceSettings
    package var application: Application
    package var logger: Logger

    package init(settings: ServiceSettings, application: Application, logger: Logger) {
        self.settings = settings
        self.application = application
        self.logger = logger
    }

    /// The runtime as an executable starts it: the configuration file named by
    /// `options` (if any), flags and environment laid over it, then `adjust`
    /// (the executable's own flags) over the application's part; logging set
    /// up at the configured level.
    package init(
        options: ServiceOptions,
        adjust: (inout Application.Settings) throws -> Void = { _ in }
    ) throws {
        let (file, source, settings) = try Self.commonSettings(options: options)
        var own = try ServiceSettings.decode(Application.Settings.self, from: file, source: source)
        try adjust(&own)
        let logger = ServiceLogging.bootstrap(label: Application.executable, level: settings.logLevel)
        self.init(
            settings: settings,
            application: try Application(settings: own, common: settings, logger: logger),
            logger: logger
        )
    }

    /// What an executable does with its flags: checks the running service's
    /// health (`--health-check`), applies the migrations (`--migrate-only`),
    /// or serves until SIGTERM.
    package static func main(
        options: ServiceOptions,
        adjust: (inout Application.Settings) throws -> Void = { _ in }
    ) async throws {
        if options.healthCheck {
            var probe = HealthProbe(
                settings: try commonSettings(options: options).settings,
                service: Application.rpcServiceName
            )
            probe.passesWhenNotServing = options.alive
            print(try await probe.run())
            return
        }
        try await Self(options: options, adjust: adjust).run(migrateOnly: options.migrateOnly)
    }

    /// The settings every service shares, from the file `options` names with
    /// flags and environment laid over them; also the file's bytes and how to
    /// name it in errors, for the application's own part.
    private static func commonSettings(
        options: ServiceOptions
    ) throws -> (file: Data, source: String, settings: ServiceSettings) {
        let file = try options.config.map(ServiceSettings.contents(of:)) ?? Data("{}".utf8)
        let source = options.config.map { "the configuration file \($0)" } ?? "the configuration"
        var settings = try ServiceSettings.decode(ServiceSettings.self, from: file, source: source)
        options.apply(to: &settings, environment: ProcessInfo.processInfo.environment)
        return (file, source, settings)
    }

    /// Applies the migrations and returns, with `migrateOnly`; else serves until SIGTERM.
    package func run(migrateOnly: Bool = false) async throws {
        // Metrics go to Prometheus; the pool and every call report there.
        let prometheus = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: prometheus))
        let pool = PostgresPool(
            configuration: try databaseConfiguration(environment: ProcessInfo.processInfo.environment),
            options: .init(
                maximumConnections: settings.database.maxConnections,
                acquisitionTimeout: .milliseconds(Int64(settings.database.acquisitionTimeoutSeconds * 1000))
            ),
            logger: logger
        )
        do {
            try await migrate(pool)
            if !migrateOnly { try await serve(pool, metrics: prometheus) }
        } catch {
            await pool.shutdown()
            throw error
        }
        // Exit's cleanup (OpenSSL's among it) must not race a connection still opening.
        await pool.shutdown()
    }

    /// Serves until SIGTERM or SIGINT, then drains.
    private func serve(_ pool: PostgresPool, metrics prometheus: PrometheusCollectorRegistry) async throws {
        let components = try application.components(pool: pool)
        let rpcService = Application.rpcServiceName
        let health = HealthService(services: [rpcService])
        var router = RPCRouter()
        for service in components.rpcServices + [health, GRPCHealthService(health: health)] {
            service.register(in: &router)
        }
        ServerReflectionService(serving: router).register(in: &router)

        let tls = settings.tls
        guard !tls.certificate.isEmpty, !tls.key.isEmpty, !tls.ca.isEmpty else {
            throw SettingsError(
                "\(Application.executable) needs tls.certificate, tls.key and tls.ca (or --tls-certificate, --tls-key, --tls-ca)"
            )
        }
        var serverConfiguration = RPCServerConfiguration(
            host: settings.listen.host,
            port: settings.listen.port,
            tls: .server(
                certificateChainPath: tls.certificate,
                privateKeyPath: tls.key,
                trustRootsPath: tls.ca,
                requireClientCertificate: tls.requireClientCertificate
            )
        )
        serverConfiguration.maximumConnections = settings.listen.maxConnections
        serverConfiguration.maximumHandshakes = settings.listen.maxHandshakes
        serverConfiguration.maximumHandshakesPerAddress = settings.listen.maxHandshakesPerAddress
        let server = RPCServer(
            configuration: serverConfiguration,
            router: router.instrumented(),
            logger: logger
        )
        let monitor = DatabaseHealthMonitor(
            pool: pool,
            health: health,
            service: rpcService,
            interval: .seconds(2),
            logger: logger
        )
        var companions: [any Service] = [monitor] + components.services
        if settings.metrics.port != 0 {
            let metrics = settings.metrics
            companions.append(
                MetricsEndpoint(host: metrics.host, port: metrics.port, registry: prometheus, logger: logger)
            )
        }
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: server)]
                + companions.map { .init(service: $0, successTerminationBehavior: .ignore) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // A call stuck for good (a statement waiting on a lock) must not keep the process up.
        configuration.maximumGracefulShutdownDuration = .seconds(settings.shutdownGraceSeconds)
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }

    func databaseConfiguration(environment: [String: String]) throws -> PostgresConfiguration {
        if let url = settings.database.url {
            return try PostgresConfiguration(url: url, applicationName: Application.executable)
        }
        return PostgresConfiguration(environment: environment, applicationName: Application.executable)
    }

    /// Applies the migrations, waiting for a database that is still starting
    /// (as in a container stack) rather than giving up at once.
    private func migrate(_ pool: PostgresPool) async throws {
        var delay = Duration.milliseconds(200)
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                let applied = try await Application.migrator.migrate(pool)
                logger.info("database ready", metadata: ["migrations_applied": "\(applied)"])
                return
            } catch let error as PostgresError where error.isConnectionLost && ContinuousClock.now < deadline {
                logger.warning("waiting for the database", metadata: ["error": "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
