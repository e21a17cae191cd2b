import ArgumentParser
import MonitoringService

@main
struct MonitoringCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: MonitoringServiceInfo.executable,
        abstract: "Serves \(MonitoringServiceInfo.serviceName): prediction ingestion, drift and monitoring windows."
    )

    func run() throws {
        print(
            "\(MonitoringServiceInfo.executable) is not runnable yet (issue #\(MonitoringServiceInfo.trackingIssue))."
        )
        throw ExitCode(2)
    }
}
