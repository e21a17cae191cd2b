import ArgumentParser
import BenchmarkSupport
import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsRPC

/// The monitoring service end to end on the drift spec's generated data:
/// 100,000 predictions ingested over RPC, then one RunMonitoring over them
/// (database read, drift, artifacts, row), against a 100,000-row reference.
@main
struct MonitoringBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Times ingestion and RunMonitoring through a running monitoring service (benchmarks/run-monitoring.sh)."
    )

    @Option var address = "127.0.0.1:7002"
    @Option var ca: String
    @Option var cert: String
    @Option var key: String
    @Option var rows = 100_000
    @Option var repeats = 3
    @Option(help: "Predictions per LogPredictions call (a batch must fit the 4 MiB frame).") var batch = 5_000
    @Option(help: "LogPredictions calls in flight.") var concurrency = 2
    @Option(
        help: """
            spec: the drift spec's 20 numeric and 5 categorical features, full-precision doubles; \
            credit: 7 numeric features to two decimals and 3 categorical, the demo model's shape.
            """
    )
    var shape = Shape.spec

    enum Shape: String, ExpressibleByArgument {
        case spec, credit
    }

    func run() async throws {
        let client = MonitoringClient(try BenchmarkClient.make(address: address, ca: ca, cert: cert, key: key))
        let data = shaped(GeneratedData(rows: rows))
        var ingestion: [Double] = []
        var windows: [Double] = []
        var replays: [Double] = []
        for attempt in 0..<repeats {
            let model = "bench-\(UUID().uuidString.prefix(8))"
            try await uploadReference(client, model, data)
            let end = Int64(Date().timeIntervalSince1970 * 1000) / 1000 * 1000
            let predictions = makePredictions(model, data, end: end)
            let ingestStart = ContinuousClock.now
            try await ingest(client, predictions)
            ingestion.append(seconds(since: ingestStart))

            let request = RunMonitoringRequest(modelName: model, lookbackHours: 2, asOf: end)
            let runStart = ContinuousClock.now
            let response = try await client.runMonitoring(request, options: CallOptions(timeout: .seconds(60)))
            windows.append(seconds(since: runStart))
            let replayStart = ContinuousClock.now
            _ = try await client.runMonitoring(request)
            replays.append(seconds(since: replayStart))
            let metrics = response.metrics!
            print(
                String(
                    format:
                        "run %d: ingest %.3f s, window %.3f s (%lld predictions, %d drifted, share %.2f), replay %.4f s",
                    attempt + 1,
                    ingestion.last!,
                    windows.last!,
                    metrics.numPredictions,
                    metrics.numDriftedFeatures,
                    metrics.featureDriftRatio,
                    replays.last!
                )
            )
        }
        print(
            String(
                format: "median ingest_seconds=%.3f window_seconds=%.3f replay_seconds=%.4f rows=%d",
                median(ingestion),
                median(windows),
                median(replays),
                rows
            )
        )
    }

    private func uploadReference(_ client: MonitoringClient, _ model: String, _ data: GeneratedData) async throws {
        let upload = try await client.beginReferenceUpload(.init(modelName: model, schema: schema(data)))
        for start in stride(from: 0, to: rows, by: batch) {
            let chunk = (start..<min(start + batch, rows)).map { row in
                ReferenceRow(
                    numericFeatures: features(data.numeric.map { $0.reference[row] }),
                    categoricalFeatures: categories(data.categorical.map { $0.reference[row] })
                )
            }
            _ = try await client.appendReferenceRows(.init(uploadId: upload.uploadId, rows: chunk))
        }
        _ = try await client.commitReferenceUpload(.init(uploadId: upload.uploadId))
    }

    private func makePredictions(_ model: String, _ data: GeneratedData, end: Int64) -> [Prediction] {
        (0..<rows).map { row in
            let probability = Double(row % 1000) / 1000
            return Prediction(
                predictionId: "p-\(row)",
                modelName: model,
                modelVersion: 1,
                // Spread over the hour before the window's end.
                timestamp: end - Int64(row % 3_600_000),
                numericFeatures: features(data.numeric.map { $0.current[row] }),
                categoricalFeatures: categories(data.categorical.map { $0.current[row] }),
                probability: probability,
                predictedLabel: probability >= 0.5 ? 1 : 0
            )
        }
    }

    private func ingest(_ client: MonitoringClient, _ predictions: [Prediction]) async throws {
        let batches = stride(from: 0, to: predictions.count, by: batch).map {
            LogPredictionsRequest(predictions: Array(predictions[$0..<min($0 + batch, predictions.count)]))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(concurrency, batches.count) {
                let request = batches[next]
                next += 1
                group.addTask { _ = try await client.logPredictions(request) }
            }
            while try await group.next() != nil, next < batches.count {
                let request = batches[next]
                next += 1
                group.addTask { _ = try await client.logPredictions(request) }
            }
        }
    }

    private func shaped(_ data: GeneratedData) -> GeneratedData {
        guard shape == .credit else { return data }
        var credit = data
        func rounded(_ values: [Double]) -> [Double] { values.map { ($0 * 100).rounded() / 100 } }
        credit.numeric = data.numeric.prefix(7).map { (rounded($0.reference), rounded($0.current)) }
        credit.categorical = Array(data.categorical.prefix(3))
        return credit
    }

    private func schema(_ data: GeneratedData) -> [FeatureSchema] {
        data.numeric.indices.map { FeatureSchema(name: "num_\($0)", type: .numeric) }
            + data.categorical.indices.map { FeatureSchema(name: "cat_\($0)", type: .categorical) }
    }

    private func features(_ values: [Double]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: values.enumerated().map { ("num_\($0.offset)", $0.element) })
    }

    private func categories(_ values: [String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: values.enumerated().map { ("cat_\($0.offset)", $0.element) })
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}
