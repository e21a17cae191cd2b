import ArgumentParser
import RegistryService

@main
struct ModelRegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: RegistryServiceInfo.executable,
        abstract: "Serves \(RegistryServiceInfo.serviceName): the MLflow-style model registry."
    )

    func run() throws {
        print("\(RegistryServiceInfo.executable) is not runnable yet (issue #\(RegistryServiceInfo.trackingIssue)).")
        throw ExitCode(2)
    }
}
