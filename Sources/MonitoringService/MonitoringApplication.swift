package import Logging
import MLOpsMessages
package import MLOpsPostgres
package import MLOpsServiceConfiguration
package import MLOpsServiceRuntime

/// `monitoring`: prediction ingestion, drift and windows (shared/specs/monitoring.md).
package struct MonitoringApplication: ServiceApplication {
    package static let executable = "monitoring"
    package static let rpcServiceName = MonitoringMethods.serviceName
    package static let migrator = MonitoringMigrations.migrator

    /// Fault injection for the tests: a pause, in seconds, at the start of
    /// each window's computation.
    static let pauseVariable = "MLOPS_MONITORING_PAUSE_WHILE_COMPUTING"

    let settings: MonitoringSettings
    let pauseWhileComputing: Duration?
    let logger: Logger

    package init(settings: MonitoringSettings, common: ServiceSettings, logger: Logger) {
        self.settings = settings
        pauseWhileComputing = FaultInjection.pause(Self.pauseVariable)
        self.logger = logger
    }

    /// The handlers, and the scheduler that runs the configured windows.
    package func components(pool: PostgresPool) -> ServiceComponents {
        let windows = MonitoringWindows(
            pool: pool,
            references: ReferenceStore(pool: pool),
            artifacts: ArtifactStore(directory: settings.artifactDirectory),
            defaultOptions: settings.driftOptions,
            logger: logger,
            sampleLimit: settings.sampleLimit,
            pauseWhileComputing: pauseWhileComputing
        )
        let partitions = PredictionPartitions(pool: pool, retention: settings.retention)
        return ServiceComponents(
            rpcServices: [MonitoringHandlers(pool: pool, windows: windows, partitions: partitions)],
            services: [
                WindowScheduler(windows: windows, schedule: settings.schedule ?? [], logger: logger),
                PartitionMaintenance(partitions: partitions, logger: logger),
            ]
        )
    }
}
