import ArgumentParser
import MLOpsServiceConfiguration
import MLOpsServiceRuntime
import RegistryService

@main
struct ModelRegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: RegistryApplication.executable,
        abstract: "Serves mlops.v1.ModelRegistry: the MLflow-style model registry, over TLS.",
        discussion: """
            Reads services/model-registry/config.json (or --config), then flags and environment.
            Example:
              model-registry --config services/model-registry/config.json \\
                --database-url postgres://registry@localhost/mlops
            """
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRuntime<RegistryApplication>.main(options: options)
    }
}
