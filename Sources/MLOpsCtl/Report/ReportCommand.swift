import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsMessages

/// `mlopsctl report …`: the seed's dashboard queries, each answered by the
/// service that owns the table (no one reads another service's tables).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The seed's dashboard queries: drift trend, decision success rate, promotion history.",
        discussion: """
            Examples:
              mlopsctl report drift-trend credit-risk-model     # monitoring_metrics, last 7 days
              mlopsctl report decision-rate                      # retraining_decisions by action
              mlopsctl report promotions --json                  # model_versions by model and stage
            """,
        subcommands: [DriftTrend.self, DecisionRate.self, Promotions.self]
    )
}

extension ReportCommand {
    /// `mlopsctl monitoring trend` under the dashboard's name.
    struct DriftTrend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "timestamp, feature_drift_ratio, num_drifted_features (default: the last 7 days), newest first.",
            discussion: "Example: mlopsctl report drift-trend credit-risk-model"
        )
        @OptionGroup var trend: MonitoringCommand.Trend

        func run() async throws { try await trend.run() }
    }

    /// `mlopsctl gate stats` under the dashboard's name.
    struct DecisionRate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decisions by action (all time unless --since).",
            discussion: "Example: mlopsctl report decision-rate --model credit-risk-model"
        )
        @OptionGroup var stats: GateCommand.Stats

        func run() async throws { try await stats.run() }
    }

    struct Promotions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How many versions each model has in each stage.",
            discussion: "Example: mlopsctl report promotions --json"
        )
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            var counts: [String: [String: Int]] = [:]
            try await RegistryCommand.call(connection) { registry in
                var token = ""
                repeat {
                    let page = try await registry.searchModelVersions(
                        .init(maxResults: 1000, orderBy: ["name ASC"], pageToken: token),
                        options: connection.callOptions
                    )
                    for version in page.modelVersions {
                        counts[version.name, default: [:]][version.currentStage, default: 0] += 1
                    }
                    token = page.nextPageToken
                } while !token.isEmpty
            }
            let rows = counts.keys.sorted().flatMap { model in
                counts[model]!.keys.sorted().map { (model, $0, counts[model]![$0]!) }
            }
            if connection.json {
                print(
                    JSONValue.array(
                        rows.map {
                            .object([
                                ("model_name", .string($0.0)), ("stage", .string($0.1)),
                                ("versions", .integer(Int64($0.2))),
                            ])
                        }
                    ).render()
                )
                return
            }
            var table = Table("MODEL", "STAGE", "VERSIONS")
            for (model, stage, count) in rows { table.add(model, stage, String(count)) }
            print(table.render())
        }
    }
}
