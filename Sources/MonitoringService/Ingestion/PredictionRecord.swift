package import MLOpsRPC

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
package struct InvalidPredictionBatch: RPCErrorConvertible, Equatable, CustomStringConvertible {
    package var row: Int
    package var predictionID: String
    package var reason: String

    package var description: String {
        "prediction \(row) (id '\(predictionID.prefix(64))'): \(reason); nothing was stored"
    }

    package var rpcError: RPCError { RPCError(code: .invalidArgument, message: description) }
}

extension PredictionRecord {
    /// A batch is accepted or refused whole, so every row is checked first.
    package static func validate(_ batch: [PredictionRecord]) throws(InvalidPredictionBatch) {
        for (row, record) in batch.enumerated() {
            func refuse(_ reason: String) -> InvalidPredictionBatch {
                InvalidPredictionBatch(row: row, predictionID: record.predictionID, reason: reason)
            }
            if let problem = Self.problem(model: record.modelName, predictionID: record.predictionID) {
                throw refuse(problem)
            }
            for (name, value) in record.categoricalFeatures {
                if let problem = Self.problem(featureName: name) ?? Self.problem(categoricalValue: value) {
                    throw refuse(problem)
                }
            }
            for name in record.numericFeatures.keys {
                if let problem = Self.problem(featureName: name) { throw refuse(problem) }
            }
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

extension PredictionRecord {
    /// Longest model name and prediction id, in UTF-8 bytes: they are keys
    /// of an index, whose entries PostgreSQL caps near 2,700 bytes.
    package static let maximumKeyLength = 256
    /// Longest feature name and categorical value, in UTF-8 bytes.
    package static let maximumFeatureNameLength = 256
    package static let maximumCategoricalValueLength = 1_024

    /// What is wrong with a prediction's key, if anything.
    package static func problem(model: String, predictionID: String) -> String? {
        if model.isEmpty { return "the model name is empty" }
        if predictionID.isEmpty { return "the prediction id is empty" }
        if model.utf8.count > maximumKeyLength { return "the model name is longer than \(maximumKeyLength) bytes" }
        if predictionID.utf8.count > maximumKeyLength {
            return "the prediction id is longer than \(maximumKeyLength) bytes"
        }
        return nil
    }

    static func problem(featureName name: String) -> String? {
        if name.isEmpty { return "a feature name is empty" }
        if name.utf8.count > maximumFeatureNameLength {
            return "feature name '\(name.prefix(32))…' is longer than \(maximumFeatureNameLength) bytes"
        }
        return nil
    }

    static func problem(categoricalValue value: String) -> String? {
        guard value.utf8.count > maximumCategoricalValueLength else { return nil }
        return "categorical value '\(value.prefix(32))…' is longer than \(maximumCategoricalValueLength) bytes"
    }
}
