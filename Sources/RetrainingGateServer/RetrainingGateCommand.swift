import ArgumentParser
import GateService
import MLOpsServiceConfiguration
import MLOpsServiceRuntime

@main
struct RetrainingGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: GateApplication.executable,
        abstract: "Serves mlops.v1.RetrainingGate: evidence-based promotion decisions, logged and applied.",
        discussion: """
            Reads services/retraining-gate/config.json (or --config), then flags and environment. It calls
            the registry and monitoring over TLS with its own certificate (identity retraining-gate).
            Example:
              retraining-gate --config services/retraining-gate/config.json \\
                --database-url postgres://gate@localhost/mlops --registry-address 127.0.0.1:7001
            """
    )

    @OptionGroup var options: ServiceOptions

    @Option(help: "host:port of model-registry (overrides the file).")
    var registryAddress: String?

    @Option(help: "host:port of monitoring (overrides the file).")
    var monitoringAddress: String?

    func run() async throws {
        try await ServiceRuntime<GateApplication>.main(options: options) { settings in
            settings.override(registryAddress: registryAddress, monitoringAddress: monitoringAddress)
        }
    }
}
