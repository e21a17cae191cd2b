/// One scored input as serving code reports it.
package struct PredictionRecord: Sendable, Equatable {
    package var predictionID: String
    package var modelName: String
    package var modelVersion: Int64
    /// Milliseconds since the epoch.
    package var timestamp: Int64
    package var numericFeatures: [String: Double]
    package var categoricalFeatures: [String: String]
    package var probability: Double
    package var predictedLabel: Int32

    package init(
        predictionID: String,
        modelName: String,
        modelVersion: Int64,
        timestamp: Int64,
        numericFeatures: [String: Double] = [:],
        categoricalFeatures: [String: String] = [:],
        probability: Double,
        predictedLabel: Int32
    ) {
        self.predictionID = predictionID
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.timestamp = timestamp
        self.numericFeatures = numericFeatures
        self.categoricalFeatures = categoricalFeatures
        self.probability = probability
        self.predictedLabel = predictedLabel
    }
}

/// Why a batch was refused: the first bad row, by position and id.
package struct InvalidPredictionBatch: Error, Equatable, CustomStringConvertible {
    package var row: Int
    package var predictionID: String
    package var reason: String

    package var description: String { "prediction \(row) (id '\(predictionID)'): \(reason); nothing was stored" }
}

extension PredictionRecord {
    /// A batch is accepted or refused whole, so every row is checked first.
    package static func validate(_ batch: [PredictionRecord]) throws(InvalidPredictionBatch) {
        for (row, record) in batch.enumerated() {
            func refuse(_ reason: String) -> InvalidPredictionBatch {
                InvalidPredictionBatch(row: row, predictionID: record.predictionID, reason: reason)
            }
            guard !record.predictionID.isEmpty else { throw refuse("the prediction id is empty") }
            guard !record.modelName.isEmpty else { throw refuse("the model name is empty") }
            guard record.probability.isFinite, (0...1).contains(record.probability) else {
                throw refuse("probability \(record.probability) is not a finite number in [0, 1]")
            }
            guard record.predictedLabel == 0 || record.predictedLabel == 1 else {
                throw refuse("predicted label \(record.predictedLabel) is not 0 or 1")
            }
            guard record.timestamp > 0 else { throw refuse("timestamp \(record.timestamp) is not after 1970") }
        }
    }
}
