import ArgumentParser
import MLOpsClient
import MLOpsMessages

/// `mlopsctl monitoring …`: every Monitoring RPC.
struct MonitoringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitoring",
        abstract: "Predictions, labels, references, drift windows, metrics and reports.",
        discussion: """
            Examples:
              mlopsctl monitoring log-predictions predictions.csv --model credit-risk-model
              mlopsctl monitoring log-labels labels.csv
              mlopsctl monitoring set-reference training.csv --model credit-risk-model
              mlopsctl monitoring run credit-risk-model --lookback-hours 24
              mlopsctl monitoring latest credit-risk-model
              mlopsctl monitoring trend credit-risk-model --json
              mlopsctl monitoring report credit-risk-model/2026-11-29T120000.000Z-1a2b3c4d/report.html --output report.html
            Connection: --address (or MLOPS_MONITORING_ADDRESS), --ca/--cert/--key (or MLOPS_TLS_CA/CERT/KEY).
            """,
        subcommands: [
            LogPredictions.self, LogLabels.self, SetReference.self, ReferenceWindow.self, Reference.self, Run.self,
            Latest.self, Recent.self, Trend.self, Context.self, Report.self,
        ]
    )

    /// The monitoring service's port when nothing says otherwise (services/monitoring/config.json).
    static let defaultPort = 7002

    static func call(_ connection: ConnectionOptions, _ body: (MonitoringClient) async throws -> Void) async throws {
        let client = try connection.client(service: "monitoring", defaultPort: defaultPort)
        try await withService("monitoring", client, wrap: MonitoringClient.init, body)
    }
}
