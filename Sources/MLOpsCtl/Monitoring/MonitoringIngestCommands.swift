import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsMessages

/// Columns of a prediction file that are not features.
private let predictionColumns: Set = ["prediction_id", "timestamp", "probability", "predicted_label", "model_version"]

/// A feature value from text: a number if it reads as one, else a category.
private func addFeature(
    _ name: String,
    _ text: String,
    numeric: inout [String: Double],
    categorical: inout [String: String]
) {
    guard !text.isEmpty else { return }  // missing in this row
    if let number = Double(text) { numeric[name] = number } else { categorical[name] = text }
}

extension MonitoringCommand {
    struct LogPredictions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send predictions from a CSV or JSON-lines file, in batches.",
            discussion: """
                CSV: a header with prediction_id, timestamp (milliseconds or ISO 8601), probability, and
                optionally predicted_label (default: probability >= 0.5) and model_version; every other
                column is a feature (numbers are numeric, anything else categorical, empty is missing).
                JSON lines (.jsonl/.ndjson): {"prediction_id": "p1", "timestamp": "2026-11-29T10:00:00Z",
                "probability": 0.82, "features": {"income": 52000, "region": "north"}}.
                Retrying a file is safe: ids already stored are skipped.
                Example:
                  mlopsctl monitoring log-predictions day.csv --model credit-risk-model
                """
        )
        @Argument(help: "A .csv or .jsonl file.") var file: String
        @Option var model: String
        @Option(help: "The model version, when the file has no model_version column.") var modelVersion: Int64 = 1
        @Option(help: "Predictions per call.") var batchSize = 5_000
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let predictions =
                file.hasSuffix(".jsonl") || file.hasSuffix(".ndjson") ? try readJSONLines() : try readCSV()
            let progress = Progress(label: "predictions", total: predictions.count)
            var accepted: Int64 = 0
            var duplicates: Int64 = 0
            try await MonitoringCommand.call(connection) { monitoring in
                var sent = 0
                for batch in Batches(elements: predictions, count: batchSize) {
                    let response = try await monitoring.logPredictions(
                        .init(predictions: Array(batch)),
                        options: connection.callOptions
                    )
                    accepted += response.accepted
                    duplicates += response.duplicates
                    sent += batch.count
                    progress.update(sent)
                }
            }
            print("accepted \(accepted), already stored \(duplicates)")
        }

        private func prediction(id: String, time: Int64, probability: Double, label: Int32?, version: Int64?)
            -> Prediction
        {
            Prediction(
                predictionId: id,
                modelName: model,
                modelVersion: version ?? modelVersion,
                timestamp: time,
                probability: probability,
                predictedLabel: label ?? (probability >= 0.5 ? 1 : 0)
            )
        }

        private func readCSV() throws -> [Prediction] {
            let csv = try CSV(path: file)
            guard let id = csv.column("prediction_id"), let time = csv.column("timestamp"),
                let probability = csv.column("probability")
            else { throw ValidationError("\(file) needs the columns prediction_id, timestamp and probability") }
            let label = csv.column("predicted_label")
            let version = csv.column("model_version")
            return try csv.rows.enumerated().map { line, row in
                guard let p = Double(row[probability]) else {
                    throw ValidationError("\(file) line \(line + 2): probability '\(row[probability])' is not a number")
                }
                var prediction = self.prediction(
                    id: row[id],
                    time: try parseTime(row[time], "line \(line + 2): timestamp"),
                    probability: p,
                    label: label.flatMap { Int32(row[$0]) },
                    version: version.flatMap { Int64(row[$0]) }
                )
                for (index, name) in csv.header.enumerated() where !predictionColumns.contains(name) {
                    addFeature(
                        name,
                        row[index],
                        numeric: &prediction.numericFeatures,
                        categorical: &prediction.categoricalFeatures
                    )
                }
                return prediction
            }
        }

        private func readJSONLines() throws -> [Prediction] {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            return try String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated().map { line, text in
                guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                    let id = object["prediction_id"] as? String, let probability = object["probability"] as? Double
                else {
                    throw ValidationError(
                        "\(file) line \(line + 1) is not an object with prediction_id and probability"
                    )
                }
                let time = try parseTime("\(object["timestamp"] ?? "")", "line \(line + 1): timestamp")
                var prediction = self.prediction(
                    id: id,
                    time: time,
                    probability: probability,
                    label: (object["predicted_label"] as? Int).map(Int32.init),
                    version: (object["model_version"] as? Int).map(Int64.init)
                )
                for (name, value) in object["features"] as? [String: Any] ?? [:] {
                    if let number = value as? Double, !(value is Bool) {
                        prediction.numericFeatures[name] = number
                    } else if let text = value as? String {
                        prediction.categoricalFeatures[name] = text
                    }
                }
                return prediction
            }
        }
    }

    struct LogLabels: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Attach true labels from a CSV file (prediction_id, label[, timestamp][, model_name]).",
            discussion: """
                Prediction ids are unique per model: each label names its model, from the file's model_name
                column or else --model. Unknown ids are counted and the first ones listed, not an error.
                Example:
                  mlopsctl monitoring log-labels outcomes.csv --model credit-risk-model
                """
        )
        @Argument var file: String
        @Option(help: "The model the labels belong to, for a file without a model_name column.")
        var model: String?
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let csv = try CSV(path: file)
            guard let id = csv.column("prediction_id"), let label = csv.column("label") else {
                throw ValidationError("\(file) needs the columns prediction_id and label")
            }
            let modelColumn = csv.column("model_name")
            guard modelColumn != nil || model != nil else {
                throw ValidationError("name the labels' model: --model, or a model_name column in \(file)")
            }
            let time = csv.column("timestamp")
            let labels = try csv.rows.enumerated().map { line, row in
                guard let value = Int32(row[label]), value == 0 || value == 1 else {
                    throw ValidationError("\(file) line \(line + 2): label '\(row[label])' is not 0 or 1")
                }
                return Label(
                    predictionId: row[id],
                    label: value,
                    timestamp: try time.map { try parseTime(row[$0], "line \(line + 2): timestamp") } ?? 0,
                    modelName: modelColumn.map { row[$0] } ?? model ?? ""
                )
            }
            try await MonitoringCommand.call(connection) { monitoring in
                var updated: Int64 = 0
                var unknown: [String] = []
                var unknownCount: Int64 = 0
                for start in stride(from: 0, to: labels.count, by: 10_000) {
                    let batch = Array(labels[start..<min(start + 10_000, labels.count)])
                    let response = try await monitoring.logLabels(.init(labels: batch), options: connection.callOptions)
                    updated += response.updated
                    unknownCount += response.unknown
                    unknown += response.unknownPredictionIds
                }
                print("labelled \(updated), unknown \(unknownCount)")
                if !unknown.isEmpty { print("unknown ids: \(unknown.prefix(20).joined(separator: ", "))") }
            }
        }
    }

    struct SetReference: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload a CSV (typically training data) as the model's next reference.",
            discussion: """
                Every column is a feature except an optional probability column. Types are inferred
                (integers with at most 10 distinct values and text are categorical) unless given with
                --numeric / --categorical, which then list the whole schema.
                Example:
                  mlopsctl monitoring set-reference training.csv --model credit-risk-model
                """
        )
        @Argument var file: String
        @Option var model: String
        @Option(help: "Numeric features, comma-separated.") var numeric: String?
        @Option(help: "Categorical features, comma-separated.") var categorical: String?
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let csv = try CSV(path: file)
            let probability = csv.column("probability")
            let rows = try csv.rows.enumerated().map { line, row in
                var reference = ReferenceRow()
                for (index, name) in csv.header.enumerated() where index != probability {
                    addFeature(
                        name,
                        row[index],
                        numeric: &reference.numericFeatures,
                        categorical: &reference.categoricalFeatures
                    )
                }
                if let probability, !row[probability].isEmpty {
                    guard let value = Double(row[probability]) else {
                        throw ValidationError(
                            "\(file) line \(line + 2): probability '\(row[probability])' is not a number"
                        )
                    }
                    reference.probability = value
                }
                return reference
            }
            func names(_ list: String?) throws -> [String] {
                let names = list?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
                for name in names where csv.column(name) == nil {
                    throw ValidationError(
                        "\(file) has no column '\(name)' (its columns: \(csv.header.joined(separator: ", ")))"
                    )
                }
                return names
            }
            let schema =
                try names(numeric).map { FeatureSchema(name: $0, type: .numeric) }
                + names(categorical).map { FeatureSchema(name: $0, type: .categorical) }
            let progress = Progress(label: "reference rows", total: rows.count)
            try await MonitoringCommand.call(connection) { monitoring in
                let upload = try await monitoring.beginReferenceUpload(
                    .init(modelName: model, schema: schema),
                    options: connection.callOptions
                )
                var sent = 0
                for chunk in Batches(elements: rows, count: 5_000) {
                    _ = try await monitoring.appendReferenceRows(
                        .init(uploadId: upload.uploadId, rows: Array(chunk)),
                        options: connection.callOptions
                    )
                    sent += chunk.count
                    progress.update(sent)
                }
                let committed = try await monitoring.commitReferenceUpload(
                    .init(uploadId: upload.uploadId),
                    options: connection.callOptions
                )
                MonitoringPresentation.print(committed.reference!, json: connection.json)
            }
        }
    }

    struct ReferenceWindow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the model's own predictions in (from, to] its next reference.",
            discussion:
                "Example:\n  mlopsctl monitoring reference-window credit-risk-model \\\n      --from 2026-11-01T00:00:00Z --to 2026-11-08T00:00:00Z"
        )
        @Argument var model: String
        @Option(help: "Start (exclusive): milliseconds or ISO 8601.") var from: String
        @Option(help: "End (inclusive): milliseconds or ISO 8601.") var to: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let (start, end) = (try parseTime(from, "--from"), try parseTime(to, "--to"))
            try await MonitoringCommand.call(connection) { monitoring in
                let response = try await monitoring.setReferenceWindow(
                    .init(modelName: model, windowStart: start, windowEnd: end),
                    options: connection.callOptions
                )
                MonitoringPresentation.print(response.reference!, json: connection.json)
            }
        }
    }

    struct Reference: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the reference in force, or a given version.",
            discussion: "Example: mlopsctl monitoring reference credit-risk-model --version 2"
        )
        @Argument var model: String
        @Option var version: Int64 = 0
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await MonitoringCommand.call(connection) { monitoring in
                let response = try await monitoring.getReference(
                    .init(modelName: model, version: version),
                    options: connection.callOptions
                )
                MonitoringPresentation.print(response.reference!, json: connection.json)
            }
        }
    }
}
