import DriftEngine
import Foundation
import MLOpsMessages
package import MLOpsPostgres
package import MLOpsRPC

/// Every RPC of `mlops.v1.Monitoring`: ingestion, references, windows,
/// reads and artifacts. Any authenticated caller may call them; uploads
/// belong to the caller that began them.
package struct MonitoringHandlers: Sendable {
    let predictions: PredictionStore
    let windows: MonitoringWindows
    let queries: MetricsQueries

    package init(pool: PostgresPool, windows: MonitoringWindows) {
        predictions = PredictionStore(pool: pool)
        self.windows = windows
        queries = MetricsQueries(pool: pool)
    }

    private var references: ReferenceStore { windows.references }
    private var artifacts: ArtifactStore { windows.artifacts }

    package func register(in router: inout RPCRouter) {
        registerIngestion(in: &router)
        registerReferences(in: &router)
        registerWindows(in: &router)
    }

    private func registerIngestion(in router: inout RPCRouter) {
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
            let labels = request.labels.map {
                PredictionStore.Label(
                    model: $0.modelName,
                    predictionID: $0.predictionId,
                    label: $0.label,
                    at: $0.timestamp
                )
            }
            let result = try await mapped { try await predictions.label(labels) }
            return LogLabelsResponse(
                updated: Int64(result.updated),
                unknown: Int64(result.unknown),
                unknownPredictionIds: result.unknownIDs
            )
        }
    }

    private func registerReferences(in router: inout RPCRouter) {
        router.register(MonitoringMethods.beginReferenceUpload) { request, context in
            let id = try await mapped {
                try await references.begin(
                    model: request.modelName,
                    schema: try DatasetSchema(request.schema),
                    by: context.callerIdentity
                )
            }
            return BeginReferenceUploadResponse(uploadId: id.uuidString.lowercased())
        }
        router.register(MonitoringMethods.appendReferenceRows) { request, context in
            let rows = request.rows.map {
                ReferenceRowRecord(
                    numericFeatures: $0.numericFeatures,
                    categoricalFeatures: $0.categoricalFeatures,
                    probability: $0.probability
                )
            }
            let count = try await mapped {
                try await references.append(upload: request.uploadId, rows: rows, by: context.callerIdentity)
            }
            return AppendReferenceRowsResponse(rowCount: count)
        }
        router.register(MonitoringMethods.commitReferenceUpload) { request, context in
            let record = try await mapped {
                try await references.commit(upload: request.uploadId, by: context.callerIdentity)
            }
            return CommitReferenceUploadResponse(reference: ReferenceDataset(record))
        }
        router.register(MonitoringMethods.setReferenceWindow) { request, context in
            let record = try await mapped {
                try await references.setWindow(
                    model: request.modelName,
                    start: request.windowStart,
                    end: request.windowEnd,
                    schema: try DatasetSchema(request.schema),
                    by: context.callerIdentity
                )
            }
            return SetReferenceWindowResponse(reference: ReferenceDataset(record))
        }
        router.register(MonitoringMethods.getReference) { request, _ in
            let record = try await mapped {
                try await references.get(model: request.modelName, version: request.version)
            }
            return GetReferenceResponse(reference: ReferenceDataset(record))
        }
    }

    private func registerWindows(in router: inout RPCRouter) {
        router.register(MonitoringMethods.runMonitoring) { request, context in
            let outcome = try await mapped {
                try await windows.run(
                    model: request.modelName,
                    lookbackHours: Int(request.lookbackHours),
                    asOf: request.asOf,
                    options: try request.options.map(DriftEngine.DriftOptions.init),
                    recompute: request.recompute,
                    caller: context.callerIdentity
                )
            }
            return RunMonitoringResponse(
                metrics: MonitoringMetrics(outcome.metrics),
                features: outcome.summary.features.map(FeatureDrift.init),
                predictionDrift: outcome.summary.prediction.map(FeatureDrift.init),
                replayed: outcome.replayed
            )
        }
        router.register(MonitoringMethods.getLatestMetrics) { request, _ in
            guard let latest = try await mapped({ try await queries.latest(model: request.modelName) }) else {
                throw RPCError(code: .notFound, message: "model '\(request.modelName)' has no monitoring windows yet")
            }
            return GetLatestMetricsResponse(
                metrics: MonitoringMetrics(latest.metrics),
                features: latest.summary.features.map(FeatureDrift.init)
            )
        }
        router.register(MonitoringMethods.listRecentMetrics) { request, _ in
            let (records, next) = try await mapped {
                try await queries.recent(
                    model: request.modelName,
                    pageSize: Int(request.maxResults),
                    pageToken: request.pageToken
                )
            }
            return ListRecentMetricsResponse(metrics: records.map(MonitoringMetrics.init), nextPageToken: next)
        }
        router.register(MonitoringMethods.getDriftTrend) { request, _ in
            let points = try await mapped {
                try await queries.trend(model: request.modelName, since: request.since, until: request.until)
            }
            return GetDriftTrendResponse(
                points: points.map {
                    DriftTrendPoint(
                        timestamp: $0.timestamp,
                        featureDriftRatio: $0.featureDriftRatio,
                        numDriftedFeatures: $0.driftedFeatures,
                        datasetDriftDetected: $0.datasetDrift
                    )
                }
            )
        }
        router.register(MonitoringMethods.getDataContext) { request, _ in
            let context = try await mapped {
                try await queries.dataContext(
                    model: request.modelName,
                    lookbackHours: Int(request.lookbackHours),
                    asOf: request.asOf
                )
            }
            return GetDataContextResponse(
                predictions: context.predictions,
                labeled: context.labeled,
                coveragePct: context.coverage,
                windowStart: context.windowStart,
                windowEnd: context.windowEnd,
                latestMetrics: context.latest.map { MonitoringMetrics($0.metrics) },
                driftedFeatures: context.latest?.summary.features.filter(\.drifted).map(\.feature) ?? []
            )
        }
        router.register(
            MonitoringMethods.getArtifact,
            streaming: { request, writer, _ in
                let artifact = try await mapped { try artifacts.read(request.ref) }
                let chunkSize = 64 * 1024
                var offset = 0
                repeat {
                    let end = min(offset + chunkSize, artifact.data.count)
                    try await writer.write(
                        ArtifactChunk(
                            data: [UInt8](artifact.data[offset..<end]),
                            contentType: offset == 0 ? artifact.contentType : "",
                            totalSize: offset == 0 ? Int64(artifact.data.count) : 0
                        )
                    )
                    offset = end
                } while offset < artifact.data.count
            }
        )
    }

    /// Refusals keep their status; a database that cannot be reached is
    /// `UNAVAILABLE` (callers retry; ingestion is idempotent).
    private func mapped<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as InvalidPredictionBatch {
            throw RPCError(code: .invalidArgument, message: error.description)
        } catch let error as ServiceRefusal {
            throw error.rpcError
        } catch let error as PostgresError {
            throw RPCError.storage(error, of: "monitoring", retryable: error.isUnavailable)
        }
    }
}
