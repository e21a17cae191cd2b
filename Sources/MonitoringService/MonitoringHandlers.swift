import DriftEngine
import Foundation
import MLOpsMessages
package import MLOpsPostgres
import MLOpsRPC
import MLOpsServiceProtocols
import NIOPosix

/// Every RPC of `mlops.v1.Monitoring`: ingestion, references, windows,
/// reads and artifacts. Any authenticated caller may call them; uploads
/// belong to the caller that began them.
package struct MonitoringHandlers: MonitoringServiceProtocol {
    let predictions: PredictionStore
    let windows: MonitoringWindows
    let queries: MetricsQueries

    package init(pool: PostgresPool, windows: MonitoringWindows, partitions: PredictionPartitions) {
        predictions = PredictionStore(pool: pool, partitions: partitions)
        self.windows = windows
        queries = MetricsQueries(pool: pool)
    }

    private var references: ReferenceStore { windows.references }
    private var artifacts: ArtifactStore { windows.artifacts }

    func logPredictions(_ request: LogPredictionsRequest, context: ServerCallContext) async throws
        -> LogPredictionsResponse
    {
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
        let logged = try await predictions.log(records)
        return LogPredictionsResponse(accepted: Int64(logged.accepted), duplicates: Int64(logged.duplicates))
    }

    func logLabels(_ request: LogLabelsRequest, context: ServerCallContext) async throws -> LogLabelsResponse {
        let labels = request.labels.map {
            PredictionStore.Label(
                model: $0.modelName,
                predictionID: $0.predictionId,
                label: $0.label,
                at: $0.timestamp,
                predictionTimestamp: $0.predictionTimestamp
            )
        }
        let result = try await predictions.label(labels)
        return LogLabelsResponse(
            updated: Int64(result.updated),
            unknown: Int64(result.unknown),
            unknownPredictionIds: result.unknownIDs
        )
    }

    func beginReferenceUpload(_ request: BeginReferenceUploadRequest, context: ServerCallContext) async throws
        -> BeginReferenceUploadResponse
    {
        let id = try await references.begin(
            model: request.modelName,
            schema: try DatasetSchema(request.schema),
            by: context.callerIdentity
        )
        return BeginReferenceUploadResponse(uploadId: id.uuidString.lowercased())
    }

    func appendReferenceRows(_ request: AppendReferenceRowsRequest, context: ServerCallContext) async throws
        -> AppendReferenceRowsResponse
    {
        let rows = request.rows.map {
            ReferenceRowRecord(
                numericFeatures: $0.numericFeatures,
                categoricalFeatures: $0.categoricalFeatures,
                probability: $0.probability
            )
        }
        let count = try await references.append(upload: request.uploadId, rows: rows, by: context.callerIdentity)
        return AppendReferenceRowsResponse(rowCount: count)
    }

    func commitReferenceUpload(_ request: CommitReferenceUploadRequest, context: ServerCallContext) async throws
        -> CommitReferenceUploadResponse
    {
        let record = try await references.commit(upload: request.uploadId, by: context.callerIdentity)
        return CommitReferenceUploadResponse(reference: ReferenceDataset(record))
    }

    func setReferenceWindow(_ request: SetReferenceWindowRequest, context: ServerCallContext) async throws
        -> SetReferenceWindowResponse
    {
        let record = try await references.setWindow(
            model: request.modelName,
            start: request.windowStart,
            end: request.windowEnd,
            schema: try DatasetSchema(request.schema),
            by: context.callerIdentity
        )
        return SetReferenceWindowResponse(reference: ReferenceDataset(record))
    }

    func getReference(_ request: GetReferenceRequest, context: ServerCallContext) async throws -> GetReferenceResponse {
        let record = try await references.get(model: request.modelName, version: request.version)
        return GetReferenceResponse(reference: ReferenceDataset(record))
    }

    func runMonitoring(_ request: RunMonitoringRequest, context: ServerCallContext) async throws
        -> RunMonitoringResponse
    {
        let outcome = try await windows.run(
            model: request.modelName,
            lookbackHours: Int(request.lookbackHours),
            asOf: request.asOf,
            options: try request.options.map(DriftConfiguration.init),
            recompute: request.recompute,
            caller: context.callerIdentity
        )
        return RunMonitoringResponse(
            metrics: MonitoringMetrics(outcome.metrics),
            features: outcome.summary.features.map(FeatureDrift.init),
            predictionDrift: outcome.summary.prediction.map(FeatureDrift.init),
            replayed: outcome.replayed
        )
    }

    func getLatestMetrics(_ request: GetLatestMetricsRequest, context: ServerCallContext) async throws
        -> GetLatestMetricsResponse
    {
        guard let latest = try await queries.latest(model: request.modelName) else {
            throw RPCError(code: .notFound, message: "model '\(request.modelName)' has no monitoring windows yet")
        }
        return GetLatestMetricsResponse(
            metrics: MonitoringMetrics(latest.metrics),
            features: latest.summary.features.map(FeatureDrift.init)
        )
    }

    func listRecentMetrics(_ request: ListRecentMetricsRequest, context: ServerCallContext) async throws
        -> ListRecentMetricsResponse
    {
        let page = try PageRequest<KeysetPageToken>(maxResults: request.maxResults, pageToken: request.pageToken)
        let records = try await queries.recent(model: request.modelName, page: page)
        return ListRecentMetricsResponse(
            metrics: records.items.map(MonitoringMetrics.init),
            nextPageToken: records.nextPageToken
        )
    }

    func getDriftTrend(_ request: GetDriftTrendRequest, context: ServerCallContext) async throws
        -> GetDriftTrendResponse
    {
        let points = try await queries.trend(model: request.modelName, since: request.since, until: request.until)
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

    func getDataContext(_ request: GetDataContextRequest, context: ServerCallContext) async throws
        -> GetDataContextResponse
    {
        let context = try await queries.dataContext(
            model: request.modelName,
            lookbackHours: Int(request.lookbackHours),
            asOf: request.asOf
        )
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

    func getArtifact(
        _ request: GetArtifactRequest,
        writer: ResponseStreamWriter<ArtifactChunk>,
        context: ServerCallContext
    ) async throws {
        // A file read blocks: not on the connection's event loop, where calls run.
        let artifact = try await NIOThreadPool.singleton.runIfActive { [artifacts] in try artifacts.read(request.ref) }
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
}
