import ArgumentParser
import MLOpsServiceConfiguration
import MLOpsServiceRuntime
import MonitoringService

@main
struct MonitoringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: MonitoringApplication.executable,
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

    func run() async throws {
        try await ServiceRuntime<MonitoringApplication>.main(options: options) { settings in
            if let artifactsDirectory { settings.artifacts = .init(directory: artifactsDirectory) }
        }
    }
}
