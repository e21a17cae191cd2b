import ArgumentParser
import GateService

@main
struct RetrainingGateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: GateServiceInfo.executable,
        abstract: "Serves \(GateServiceInfo.serviceName): evidence-based promotion decisions."
    )

    func run() throws {
        print("\(GateServiceInfo.executable) is not runnable yet (issue #\(GateServiceInfo.trackingIssue)).")
        throw ExitCode(2)
    }
}
