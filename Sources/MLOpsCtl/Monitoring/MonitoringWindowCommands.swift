import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsRPC

extension MonitoringCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Analyse a window (as-of − lookback, as-of]; a window already run is shown as stored.",
            discussion: """
                A window is its model, end and lookback. --recompute analyses it again (after late
                predictions, say) and replaces the stored result, whose revision goes up by one.
                Example: mlopsctl monitoring run credit-risk-model --lookback-hours 24
                """
        )
        @Argument var model: String
        @Option var lookbackHours: Int32 = 24
        @Option(help: "The window's end: milliseconds or ISO 8601 (default: now).") var asOf: String?
        @Flag(help: "Analyse the window again even if it has run, replacing its result.") var recompute = false
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let end = try asOf.map { try parseTime($0, "--as-of") } ?? 0
            try await MonitoringCommand.call(connection) { monitoring in
                let response = try await monitoring.runMonitoring(
                    .init(modelName: model, lookbackHours: lookbackHours, asOf: end, recompute: recompute),
                    options: connection.callOptions
                )
                MonitoringPresentation.print(
                    response.metrics!,
                    features: response.features + (response.predictionDrift.map { [$0] } ?? []),
                    replayed: response.replayed,
                    json: connection.json
                )
                if response.replayed && !connection.json {
                    print("(this window had run before: the stored result; --recompute analyses it again)")
                }
            }
        }
    }

    struct Latest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The model's latest window, feature by feature.",
            discussion: "Example: mlopsctl monitoring latest credit-risk-model"
        )
        @Argument var model: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await MonitoringCommand.call(connection) { monitoring in
                let response = try await monitoring.getLatestMetrics(
                    .init(modelName: model),
                    options: connection.callOptions
                )
                MonitoringPresentation.print(response.metrics!, features: response.features, json: connection.json)
            }
        }
    }

    struct Recent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Windows of the last seven days, newest first (the seed's v_recent_monitoring).",
            discussion: "Example: mlopsctl monitoring recent credit-risk-model --max-results 20"
        )
        @Argument(help: "Only this model.") var model: String = ""
        @Option var maxResults: Int32 = 0
        @Option var pageToken = ""
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await MonitoringCommand.call(connection) { monitoring in
                let response = try await monitoring.listRecentMetrics(
                    .init(modelName: model, maxResults: maxResults, pageToken: pageToken),
                    options: connection.callOptions
                )
                MonitoringPresentation.print(response.metrics, json: connection.json)
                notePageToken(response.nextPageToken)
            }
        }
    }

    struct Trend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The drift trend: one point per window over a period (default: the last seven days).",
            discussion: "Example: mlopsctl monitoring trend credit-risk-model --since 2026-11-01T00:00:00Z"
        )
        @Argument var model: String
        @OptionGroup var period: Period
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let (start, end) = (try period.start, try period.end)
            try await MonitoringCommand.call(connection) { monitoring in
                let response = try await monitoring.getDriftTrend(
                    .init(modelName: model, since: start, until: end),
                    options: connection.callOptions
                )
                MonitoringPresentation.print(response.points, json: connection.json)
            }
        }
    }

    struct Context: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What the retraining gate sees: predictions and labels in a window, and the latest drift.",
            discussion: "Example: mlopsctl monitoring context credit-risk-model --lookback-hours 24"
        )
        @Argument var model: String
        @Option var lookbackHours: Int32 = 24
        @Option(help: "Milliseconds or ISO 8601 (default: now).") var asOf: String?
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let end = try asOf.map { try parseTime($0, "--as-of") } ?? 0
            try await MonitoringCommand.call(connection) { monitoring in
                let context = try await monitoring.getDataContext(
                    .init(modelName: model, lookbackHours: lookbackHours, asOf: end),
                    options: connection.callOptions
                )
                MonitoringPresentation.print(context, json: connection.json)
            }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a window's HTML report or JSON summary by its ref (see `latest`).",
            discussion:
                "Example: mlopsctl monitoring report \"$(mlopsctl monitoring latest m --json | jq -r .report)\" -o r.html"
        )
        @Argument(help: "A drift_report_ref or drift_summary_ref.") var ref: String
        @Option(name: .shortAndLong, help: "Write it here (default: standard output).") var output: String?
        @Flag(help: "Open the written file with xdg-open.") var open = false
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            var data = Data()
            try await MonitoringCommand.call(connection) { monitoring in
                for try await chunk in monitoring.getArtifact(.init(ref: ref), options: connection.callOptions) {
                    data.append(contentsOf: chunk.data)
                }
            }
            guard let output else {
                FileHandle.standardOutput.write(data)
                return
            }
            try data.write(to: URL(fileURLWithPath: output))
            FileHandle.standardError.write(Data("wrote \(output) (\(data.count) bytes)\n".utf8))
            if open {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["xdg-open", output]
                try process.run()
            }
        }
    }
}
