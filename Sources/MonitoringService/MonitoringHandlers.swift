import MLOpsMessages
package import MLOpsPostgres
package import MLOpsRPC

/// The monitoring RPCs served so far: ingestion of predictions and labels.
/// The others answer `UNIMPLEMENTED` until they are built.
package struct MonitoringHandlers: Sendable {
    let predictions: PredictionStore

    package init(pool: PostgresPool) {
        predictions = PredictionStore(pool: pool)
    }

    package func register(in router: inout RPCRouter) {
        router.register(MonitoringMethods.logPredictions) { request, _ in
            let records = request.predictions.map { prediction in
                PredictionRecord(
                    predictionID: prediction.predictionId,
                    modelName: prediction.modelName,
                    modelVersion: prediction.modelVersion,
                    timestamp: prediction.timestamp,
                    numericFeatures: prediction.numericFeatures,
                    categoricalFeatures: prediction.categoricalFeatures,
                    probability: prediction.probability,
                    predictedLabel: prediction.predictedLabel
                )
            }
            let logged = try await mapped { try await predictions.log(records) }
            return LogPredictionsResponse(accepted: Int64(logged.accepted), duplicates: Int64(logged.duplicates))
        }
        router.register(MonitoringMethods.logLabels) { request, _ in
            let labels = request.labels.map { (predictionID: $0.predictionId, label: $0.label, at: $0.timestamp) }
            let result = try await mapped { try await predictions.label(labels) }
            return LogLabelsResponse(
                updated: Int64(result.updated),
                unknown: Int64(result.unknown),
                unknownPredictionIds: result.unknownIDs
            )
        }
    }

    /// Bad input is `INVALID_ARGUMENT` naming the row; a database that cannot
    /// be reached is `UNAVAILABLE` (serving code retries; batches are idempotent).
    private func mapped<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as InvalidPredictionBatch {
            throw RPCError(code: .invalidArgument, message: error.description)
        } catch let error as PostgresError {
            let unavailable = error.isUnavailable
            throw RPCError(
                code: unavailable ? .unavailable : .internal,
                message: "the monitoring database \(unavailable ? "is unavailable" : "failed"): \(error.message)"
            )
        }
    }
}
