import ArgumentParser
import MLOpsServiceConfiguration
import MLOpsServiceRuntime
import RegistryRules
import RegistryService

@main
struct ModelRegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ModelRegistryService.executable,
        abstract: "Serves mlops.v1.ModelRegistry: the MLflow-style model registry, over TLS.",
        discussion: """
            Reads services/model-registry/config.json (or --config), then flags and environment.
            Example:
              model-registry --config services/model-registry/config.json \\
                --database-url postgres://registry@localhost/mlops
            """
    )

    @OptionGroup var options: ServiceOptions

    @Flag(help: "Apply the database migrations and exit.")
    var migrateOnly = false

    func run() async throws {
        let own = try options.config.map { try ServiceSettings.load(ModelRegistryService.Settings.self, from: $0) }
        let policy = try (own?.policy ?? .default).validated()
        let runtime = try ServiceRuntime(
            name: ModelRegistryService.executable,
            rpcService: ModelRegistryService.rpcService,
            migrator: ModelRegistryService.migrator,
            options: options
        )
        try await runtime.run(migrateOnly: migrateOnly) { pool in
            ModelRegistryService.parts(pool: pool, policy: policy, logger: runtime.logger)
        }
    }
}
