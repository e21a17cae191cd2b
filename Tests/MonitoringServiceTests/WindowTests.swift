import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTestSupport
import MonitoringService
import Testing

private let artifactsDirectory = NSTemporaryDirectory() + "monitoring-artifacts-\(UUID().uuidString.prefix(8))"

@Suite(
    "References, windows, reads and artifacts",
    .temporaryPostgres,
    InProcessServiceTrait(
        MonitoringApplication.self,
        settings: #"{"artifacts": {"directory": "\#(artifactsDirectory)"}}"#
    )
)
struct WindowTests {
    let monitoring: MonitoringClient
    let running: InProcessService

    init() throws {
        running = try #require(InProcessService.current)
        monitoring = MonitoringClient(running.channel("serving"))
    }

    /// A reference of 300 rows, then 300 predictions in the hour before `end`.
    private func prepare(
        _ model: String,
        end: Int64,
        incomeShift: Double = 0,
        skewRegions: Bool = false
    ) async throws -> ReferenceDataset {
        var fixtures = Fixtures(seed: model.utf8.reduce(1) { $0 &* 31 &+ UInt64($1) })
        let reference = try await monitoring.uploadReference(model: model, rows: fixtures.referenceRows(300))
        let predictions = fixtures.predictions(
            300,
            model: model,
            endingAt: end,
            incomeShift: incomeShift,
            skewRegions: skewRegions
        )
        _ = try await monitoring.logPredictions(.init(predictions: predictions))
        return reference
    }

    @Test func anUploadedReferenceGetsVersionsAndAnInferredSchema() async throws {
        var fixtures = Fixtures(seed: 7)
        let first = try await monitoring.uploadReference(model: "ref-model", rows: fixtures.referenceRows(50))
        #expect(first.version == 1 && first.rowCount == 50 && first.source == .upload && first.createdBy == "serving")
        let kinds = Dictionary(uniqueKeysWithValues: first.schema.map { ($0.name, $0.type) })
        #expect(kinds == ["income": .numeric, "dti": .numeric, "region": .categorical])

        let second = try await monitoring.uploadReference(
            model: "ref-model",
            rows: fixtures.referenceRows(10),
            schema: [FeatureSchema(name: "income", type: .numeric)]
        )
        #expect(second.version == 2 && second.schema.map(\.name) == ["income"])
        let inForce = try await monitoring.getReference(.init(modelName: "ref-model"))
        #expect(inForce.reference?.version == 2)
        let older = try await monitoring.getReference(.init(modelName: "ref-model", version: 1))
        #expect(older.reference?.rowCount == 50)
    }

    @Test func uploadsAreCheckedStepByStep() async throws {
        let upload = try await monitoring.beginReferenceUpload(.init(modelName: "checked-model"))
        // Nothing appended yet.
        #expect(
            await statusCode { _ = try await monitoring.commitReferenceUpload(.init(uploadId: upload.uploadId)) }
                == .failedPrecondition
        )
        // Someone else's upload.
        let other = MonitoringClient(running.channel("trainer"))
        #expect(
            await statusCode {
                _ = try await other.appendReferenceRows(.init(uploadId: upload.uploadId, rows: [ReferenceRow()]))
            } == .permissionDenied
        )
        // A probability outside [0, 1] refuses the rows, naming the row.
        let bad = await rpcError {
            _ = try await monitoring.appendReferenceRows(
                .init(uploadId: upload.uploadId, rows: [ReferenceRow(), ReferenceRow(probability: 1.5)])
            )
        }
        #expect(bad?.code == .invalidArgument && bad?.message.contains("reference row 1") == true)
        #expect(
            await statusCode { _ = try await monitoring.appendReferenceRows(.init(uploadId: "nonsense")) }
                == .invalidArgument
        )
        #expect(
            await statusCode {
                _ = try await monitoring.appendReferenceRows(.init(uploadId: UUID().uuidString))
            } == .notFound
        )
        #expect(
            await statusCode {
                _ = try await monitoring.beginReferenceUpload(
                    .init(modelName: "checked-model", schema: [FeatureSchema(name: "income")])
                )
            } == .invalidArgument
        )
        #expect(
            await statusCode { _ = try await monitoring.getReference(.init(modelName: "no-such-model")) } == .notFound
        )
        // Committed once only.
        _ = try await monitoring.appendReferenceRows(
            .init(uploadId: upload.uploadId, rows: [ReferenceRow(numericFeatures: ["x": 1.5])])
        )
        _ = try await monitoring.commitReferenceUpload(.init(uploadId: upload.uploadId))
        #expect(
            await statusCode { _ = try await monitoring.commitReferenceUpload(.init(uploadId: upload.uploadId)) }
                == .failedPrecondition
        )
    }

    @Test func aWindowRunTwiceWritesOneRow() async throws {
        let end = recentHour(hoursAgo: 2)
        let reference = try await prepare("twice-model", end: end, incomeShift: 1.5, skewRegions: true)
        let request = RunMonitoringRequest(modelName: "twice-model", lookbackHours: 1, asOf: end)
        let first = try await monitoring.runMonitoring(request)
        let metrics = try #require(first.metrics)
        #expect(!first.replayed)
        #expect(metrics.numPredictions == 300 && metrics.referenceVersion == reference.version)
        #expect(metrics.datasetDriftDetected && metrics.numDriftedFeatures == 2)
        #expect(abs(metrics.featureDriftRatio - 2.0 / 3.0) < 1e-12)
        #expect(metrics.positiveRate != nil && metrics.entropy != nil && metrics.labeledPredictions == 0)
        // Most drifted first; the income shift is found by KS (300 reference rows).
        #expect(first.features.map(\.feature).prefix(2).sorted() == ["income", "region"])
        #expect(first.features.first { $0.feature == "income" }?.method == .kolmogorovSmirnov)
        #expect(first.features.first { $0.feature == "dti" }?.drifted == false)
        #expect(first.predictionDrift?.feature == "prediction")

        let again = try await monitoring.runMonitoring(request)
        #expect(again.replayed && again.metrics?.id == metrics.id)
        #expect(again.features.map(\.feature) == first.features.map(\.feature))
        let recent = try await monitoring.listRecentMetrics(.init(modelName: "twice-model"))
        #expect(recent.metrics.map(\.id) == [metrics.id])
    }

    @Test func aWindowIsItsLookbackTooAndCanBeRecomputed() async throws {
        let model = "late-model"
        let end = recentHour(hoursAgo: 5)
        // Run before its predictions arrive: an empty window, stored.
        let early = try await monitoring.runMonitoring(.init(modelName: model, lookbackHours: 1, asOf: end))
        #expect(early.metrics?.numPredictions == 0 && early.metrics?.revision == 1)
        #expect(early.metrics?.computedBy == "serving")

        var fixtures = Fixtures(seed: 11)
        // 100 in the last hour before `end`, 100 in the hour before that.
        let recent = fixtures.predictions(100, model: model, endingAt: end)
        let older = fixtures.predictions(100, model: model, endingAt: end - 3_600_000)
            .map { prediction in
                var prediction = prediction
                prediction.predictionId = "older-" + prediction.predictionId
                return prediction
            }
        _ = try await monitoring.logPredictions(.init(predictions: recent + older))

        // The same window replays what it stored; another lookback is another window.
        let replayed = try await monitoring.runMonitoring(.init(modelName: model, lookbackHours: 1, asOf: end))
        #expect(replayed.replayed && replayed.metrics?.numPredictions == 0)
        let wider = try await monitoring.runMonitoring(.init(modelName: model, lookbackHours: 2, asOf: end))
        #expect(!wider.replayed && wider.metrics?.numPredictions == 200 && wider.metrics?.lookbackHours == 2)

        // Recomputed on request: the same row, revised, signed by who asked.
        let admin = MonitoringClient(running.channel("admin"))
        let redone = try await admin.runMonitoring(
            .init(modelName: model, lookbackHours: 1, asOf: end, recompute: true)
        )
        #expect(!redone.replayed && redone.metrics?.numPredictions == 100)
        #expect(redone.metrics?.id == early.metrics?.id && redone.metrics?.revision == 2)
        #expect(redone.metrics?.computedBy == "admin")
        let after = try await monitoring.runMonitoring(.init(modelName: model, lookbackHours: 1, asOf: end))
        #expect(after.replayed && after.metrics?.numPredictions == 100 && after.metrics?.revision == 2)
    }

    @Test func concurrentRunsOfOneWindowComputeItOnce() async throws {
        let end = recentHour(hoursAgo: 3)
        _ = try await prepare("racing-model", end: end)
        let request = RunMonitoringRequest(modelName: "racing-model", lookbackHours: 1, asOf: end)
        let responses = try await withThrowingTaskGroup(of: RunMonitoringResponse.self) { group in
            for _ in 0..<6 { group.addTask { try await monitoring.runMonitoring(request) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(responses.compactMap { $0.metrics?.id }).count == 1)
        #expect(responses.filter { !$0.replayed }.count == 1)
    }

    @Test func anEmptyWindowIsAResultNotAnError() async throws {
        let response = try await monitoring.runMonitoring(
            .init(modelName: "quiet-model", lookbackHours: 24, asOf: recentHour(hoursAgo: 1))
        )
        let metrics = try #require(response.metrics)
        #expect(metrics.numPredictions == 0 && !metrics.datasetDriftDetected && metrics.positiveRate == nil)
        #expect(metrics.reason == "no predictions in the window")
        #expect(response.features.isEmpty)
    }

    @Test func aWindowWithoutReferenceHasStatisticsAndAReason() async throws {
        let end = recentHour(hoursAgo: 4)
        var fixtures = Fixtures(seed: 3)
        _ = try await monitoring.logPredictions(
            .init(predictions: fixtures.predictions(40, model: "unreferenced", endingAt: end))
        )
        let response = try await monitoring.runMonitoring(.init(modelName: "unreferenced", lookbackHours: 1, asOf: end))
        #expect(response.metrics?.numPredictions == 40 && response.metrics?.probabilityMean != nil)
        #expect(response.metrics?.reason.contains("no reference") == true)
    }

    @Test func oddFeaturesAreHandledColumnByColumn() async throws {
        let model = "odd-model"
        let end = recentHour(hoursAgo: 5)
        var fixtures = Fixtures(seed: 11)
        _ = try await monitoring.uploadReference(model: model, rows: fixtures.referenceRows(200))
        var predictions = fixtures.predictions(200, model: model, endingAt: end)
        for index in predictions.indices {
            // NaN and infinity are dropped; "dti" is missing from half the rows.
            if index % 10 == 0 { predictions[index].numericFeatures["income"] = index % 20 == 0 ? .nan : .infinity }
            if index % 2 == 0 { predictions[index].numericFeatures["dti"] = nil }
            // A category the reference never saw, and a feature it does not have.
            if index % 4 == 0 { predictions[index].categoricalFeatures["region"] = "atlantis" }
            predictions[index].numericFeatures["brand_new"] = Double(index)
        }
        _ = try await monitoring.logPredictions(.init(predictions: predictions))
        let response = try await monitoring.runMonitoring(.init(modelName: model, lookbackHours: 1, asOf: end))
        let features = Dictionary(uniqueKeysWithValues: response.features.map { ($0.feature, $0) })
        #expect(features["income"]?.currentCount == 180 && features["income"]?.skipped == false)
        #expect(features["dti"]?.currentCount == 100)
        // χ² against a category with no reference mass is infinite: drift.
        #expect(features["region"]?.method == .chiSquare && features["region"]?.statistic == .infinity)
        #expect(features["region"]?.drifted == true && features["region"]?.pValue == 0)
        #expect(features["brand_new"] == nil)
        let summaryRef = try #require(response.metrics?.driftSummaryRef)
        let (json, type) = try await monitoring.artifact(summaryRef)
        #expect(type == "application/json")
        let summary = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(summary["unknownFeatures"] as? [String] == ["brand_new"])
    }

    @Test func theReportIsOneSelfContainedPageWithAChartPerFeature() async throws {
        let end = recentHour(hoursAgo: 6)
        _ = try await prepare("report-model", end: end, incomeShift: 2)
        let response = try await monitoring.runMonitoring(.init(modelName: "report-model", lookbackHours: 1, asOf: end))
        let metrics = try #require(response.metrics)
        let (html, type) = try await monitoring.artifact(metrics.driftReportRef)
        #expect(type.hasPrefix("text/html"))
        let page = String(decoding: html, as: UTF8.self)
        #expect(page.contains(#"id="verdict""#))
        #expect(page.components(separatedBy: "<svg").count - 1 == 3)
        #expect(!page.contains("<script") && !page.contains("src=") && !page.contains("<link"))
        #expect(html.count < 3 * 50_000)
        // The files are where the refs say, under the configured directory.
        #expect(FileManager.default.fileExists(atPath: artifactsDirectory + "/" + metrics.driftReportRef))
        #expect(await statusCode { _ = try await monitoring.artifact("../../etc/passwd") } == .invalidArgument)
        #expect(await statusCode { _ = try await monitoring.artifact("report-model/nothing/report.html") } == .notFound)
    }

    @Test func readsFollowTheWindows() async throws {
        let model = "read-model"
        var fixtures = Fixtures(seed: 5)
        _ = try await monitoring.uploadReference(model: model, rows: fixtures.referenceRows(200))
        let ends = [recentHour(hoursAgo: 9), recentHour(hoursAgo: 8), recentHour(hoursAgo: 7)]
        for (index, end) in ends.enumerated() {
            let predictions = fixtures.predictions(100, model: model, endingAt: end, incomeShift: Double(index) * 1.5)
            _ = try await monitoring.logPredictions(.init(predictions: predictions))
            _ = try await monitoring.logLabels(
                .init(
                    labels: predictions.prefix(25).map {
                        Label(predictionId: $0.predictionId, label: 1, modelName: model)
                    }
                )
            )
            _ = try await monitoring.runMonitoring(.init(modelName: model, lookbackHours: 1, asOf: end))
        }
        let latest = try await monitoring.getLatestMetrics(.init(modelName: model))
        #expect(latest.metrics?.timestamp == ends[2] && !latest.features.isEmpty)
        #expect(latest.metrics?.labeledPredictions == 25 && latest.metrics?.labelCoverage == 0.25)

        let trend = try await monitoring.getDriftTrend(.init(modelName: model, since: ends[0] - 1, until: ends[2]))
        #expect(trend.points.map(\.timestamp) == ends.reversed())
        #expect(trend.points.first?.featureDriftRatio ?? 0 > trend.points.last?.featureDriftRatio ?? 1)

        let page1 = try await monitoring.listRecentMetrics(.init(modelName: model, maxResults: 2))
        #expect(page1.metrics.map(\.timestamp) == [ends[2], ends[1]] && !page1.nextPageToken.isEmpty)
        let page2 = try await monitoring.listRecentMetrics(
            .init(modelName: model, maxResults: 2, pageToken: page1.nextPageToken)
        )
        #expect(page2.metrics.map(\.timestamp) == [ends[0]] && page2.nextPageToken.isEmpty)

        let context = try await monitoring.getDataContext(.init(modelName: model, lookbackHours: 2, asOf: ends[2]))
        #expect(context.predictions == 200 && context.labeled == 50 && context.coveragePct == 0.25)
        #expect(context.latestMetrics?.timestamp == ends[2] && context.driftedFeatures.contains("income"))
        #expect(
            await statusCode { _ = try await monitoring.getLatestMetrics(.init(modelName: "never-run")) } == .notFound
        )
    }

    @Test func aPastWindowCanBeTheReference() async throws {
        let model = "window-ref-model"
        let end = recentHour(hoursAgo: 12)
        var fixtures = Fixtures(seed: 9)
        _ = try await monitoring.logPredictions(
            .init(predictions: fixtures.predictions(120, model: model, endingAt: end))
        )
        let reference = try #require(
            try await monitoring.setReferenceWindow(
                .init(modelName: model, windowStart: end - 3_600_000, windowEnd: end)
            ).reference
        )
        #expect(reference.source == .window && reference.rowCount == 120 && reference.version == 1)
        #expect(reference.windowStart == end - 3_600_000 && reference.windowEnd == end)
        #expect(
            await statusCode {
                _ = try await monitoring.setReferenceWindow(.init(modelName: model, windowStart: 1, windowEnd: 2))
            } == .failedPrecondition
        )
        // Compared with itself, nothing drifts.
        let response = try await monitoring.runMonitoring(.init(modelName: model, lookbackHours: 1, asOf: end))
        #expect(response.metrics?.numDriftedFeatures == 0 && response.metrics?.referenceVersion == 1)
    }

    @Test func badWindowRequestsAreRefused() async throws {
        #expect(
            await statusCode { _ = try await monitoring.runMonitoring(.init(modelName: "m", lookbackHours: 0)) }
                == .invalidArgument
        )
        #expect(
            await statusCode { _ = try await monitoring.runMonitoring(.init(lookbackHours: 1)) } == .invalidArgument
        )
        #expect(
            await statusCode {
                _ = try await monitoring.runMonitoring(.init(modelName: "m", lookbackHours: 1, asOf: -5))
            } == .invalidArgument
        )
        #expect(
            await statusCode {
                var options = DriftOptions()
                options.datasetDriftShare = 1.5
                _ = try await monitoring.runMonitoring(.init(modelName: "m", lookbackHours: 1, options: options))
            } == .invalidArgument
        )
        #expect(
            await statusCode { _ = try await monitoring.listRecentMetrics(.init(pageToken: "garbage")) }
                == .invalidArgument
        )
    }

    @Test func requestOptionsChooseTheTest() async throws {
        let end = recentHour(hoursAgo: 14)
        _ = try await prepare("options-model", end: end)
        var options = DriftOptions()
        options.numeric = DriftTestChoice(method: .psi)
        options.perFeature = ["income": DriftTestChoice(method: .wassersteinNormed, threshold: 0.5)]
        let response = try await monitoring.runMonitoring(
            .init(modelName: "options-model", lookbackHours: 1, asOf: end, options: options)
        )
        let features = Dictionary(uniqueKeysWithValues: response.features.map { ($0.feature, $0) })
        #expect(features["income"]?.method == .wassersteinNormed && features["income"]?.threshold == 0.5)
        #expect(features["dti"]?.method == .psi && features["dti"]?.score != nil && features["dti"]?.pValue == nil)
        #expect(features["region"]?.method == .chiSquare)
    }
}
