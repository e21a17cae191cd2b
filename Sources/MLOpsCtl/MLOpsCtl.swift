import ArgumentParser
import MLOpsClient

@main
struct MLOpsCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlopsctl",
        abstract: "Calls and runs the MLOps control plane: model registry, monitoring and retraining gate.",
        subcommands: [
            DevCommand.self, DemoCommand.self, RegistryCommand.self, MonitoringCommand.self, GateCommand.self,
            ReportCommand.self, BenchCommand.self,
            Methods.self,
        ]
    )
}

extension MLOpsCtl {
    struct Methods: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lists every RPC method path, by service.",
            discussion: "Example: mlopsctl methods --service mlops.v1.ModelRegistry"
        )

        @Option(help: "Only this service, e.g. mlops.v1.ModelRegistry.")
        var service: String?

        func run() throws {
            let services = ServiceCatalog.services.filter { service == nil || $0.name == service }
            guard !services.isEmpty else {
                throw ValidationError("no service named \(service ?? ""); try mlopsctl methods")
            }
            for entry in services {
                print("\(entry.name) (\(entry.executable))")
                for path in entry.methodPaths { print("  \(path)") }
            }
        }
    }
}
