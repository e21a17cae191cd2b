import ArgumentParser
import MLOpsServiceConfiguration
import MLOpsServiceRuntime
import MonitoringService

@main
struct MonitoringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: MonitoringServiceInfo.executable,
        abstract: "Serves mlops.v1.Monitoring: prediction and label ingestion (drift windows and reports follow).",
        discussion: """
            Reads services/monitoring/config.json (or --config), then flags and environment.
            Example:
              monitoring --config services/monitoring/config.json --database-url postgres://monitoring@localhost/mlops
            """
    )

    @OptionGroup var options: ServiceOptions

    @Flag(help: "Apply the database migrations and exit.")
    var migrateOnly = false

    func run() async throws {
        let runtime = try ServiceRuntime(
            name: MonitoringServiceInfo.executable,
            rpcService: MonitoringServiceInfo.serviceName,
            migrator: MonitoringServiceInfo.migrator,
            options: options
        )
        try await runtime.run(migrateOnly: migrateOnly) { pool in
            ServiceRuntime.Parts(register: MonitoringHandlers(pool: pool).register)
        }
    }
}
