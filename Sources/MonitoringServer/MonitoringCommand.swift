import ArgumentParser
import Foundation
import MLOpsServiceConfiguration
import MLOpsServiceRuntime
import MonitoringService

@main
struct MonitoringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: MonitoringServiceInfo.executable,
        abstract: "Serves mlops.v1.Monitoring: predictions and labels, references, drift windows and their reports.",
        discussion: """
            Reads services/monitoring/config.json (or --config), then flags and environment.
            Example:
              monitoring --config services/monitoring/config.json --database-url postgres://monitoring@localhost/mlops \\
                --artifacts-directory /var/lib/mlops/artifacts
            """
    )

    @OptionGroup var options: ServiceOptions

    @Option(help: "Where window summaries and reports are written (replicas share it).")
    var artifactsDirectory: String?

    @Flag(help: "Apply the database migrations and exit.")
    var migrateOnly = false

    func run() async throws {
        let own = try options.config.map { try ServiceSettings.load(MonitoringSettings.self, from: $0) }
        let runtime = try ServiceRuntime(
            name: MonitoringServiceInfo.executable,
            rpcService: MonitoringServiceInfo.serviceName,
            migrator: MonitoringServiceInfo.migrator,
            options: options
        )
        let settings = own ?? MonitoringSettings()
        let artifacts = ArtifactStore(directory: settings.artifactDirectory(override: artifactsDirectory))
        try await runtime.run(migrateOnly: migrateOnly) { pool in
            let windows = MonitoringWindows(
                pool: pool,
                references: ReferenceStore(pool: pool),
                artifacts: artifacts,
                defaultOptions: settings.driftOptions,
                logger: runtime.logger
            )
            let scheduler = WindowScheduler(windows: windows, schedule: settings.schedule ?? [], logger: runtime.logger)
            return ServiceRuntime.Parts(
                register: MonitoringHandlers(pool: pool, windows: windows).register,
                services: [scheduler]
            )
        }
    }
}
