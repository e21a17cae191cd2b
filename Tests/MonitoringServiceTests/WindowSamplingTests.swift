import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsTestSupport
import MonitoringService
import Testing

private let artifactsDirectory = NSTemporaryDirectory() + "monitoring-sampling-\(UUID().uuidString.prefix(8))"

/// A service whose windows hold at most 100 values a numeric feature: a
/// window of 300 predictions is tested on a sample, says so, and is the same
/// when computed again.
@Suite(
    "Windows larger than their budget",
    .temporaryPostgres,
    InProcessServiceTrait(
        MonitoringApplication.self,
        settings: #"{"artifacts": {"directory": "\#(artifactsDirectory)"}, "windows": {"maxRowsPerFeature": 100}}"#
    )
)
struct WindowSamplingTests {
    let monitoring: MonitoringClient
    let admin: MonitoringClient

    init() throws {
        let running = try #require(InProcessService.current)
        monitoring = MonitoringClient(running.channel("serving"))
        admin = MonitoringClient(running.channel("admin"))
    }

    @Test func aLargeWindowIsSampledStatesItAndIsTheSameWhenComputedAgain() async throws {
        let (model, end) = ("sampled-model", recentHour(hoursAgo: 2))
        var fixtures = Fixtures(seed: 5)
        _ = try await monitoring.uploadReference(model: model, rows: fixtures.referenceRows(300))
        let predictions = fixtures.predictions(300, model: model, endingAt: end, incomeShift: 1.5, skewRegions: true)
        _ = try await monitoring.logPredictions(.init(predictions: predictions))

        let request = RunMonitoringRequest(modelName: model, lookbackHours: 1, asOf: end)
        let first = try await monitoring.runMonitoring(request)
        let metrics = try #require(first.metrics)
        #expect(metrics.numPredictions == 300, "the statistics count every row")
        let income = try #require(first.features.first { $0.feature == "income" })
        #expect(income.currentCount == 100 && income.currentPopulation == 300 && income.drifted)
        let region = try #require(first.features.first { $0.feature == "region" })
        #expect(region.currentCount == 300 && region.currentPopulation == 0, "categories are counted whole")
        #expect(first.predictionDrift?.currentPopulation == 300)

        let (json, _) = try await monitoring.artifact(metrics.driftSummaryRef)
        let summary = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(summary["sampleLimit"] as? Int == 100)
        let (html, _) = try await monitoring.artifact(metrics.driftReportRef)
        let page = String(decoding: html, as: UTF8.self)
        #expect(page.contains(#"id="sample""#) && page.contains("100 of 300"))

        let again = try await admin.runMonitoring(
            RunMonitoringRequest(modelName: model, lookbackHours: 1, asOf: end, recompute: true)
        )
        #expect(!again.replayed && again.metrics?.revision == 2)
        #expect(again.features == first.features && again.predictionDrift == first.predictionDrift)
    }

    @Test func aWindowWithinTheBudgetIsNotSampled() async throws {
        let (model, end) = ("small-model", recentHour(hoursAgo: 3))
        var fixtures = Fixtures(seed: 6)
        _ = try await monitoring.uploadReference(model: model, rows: fixtures.referenceRows(300))
        _ = try await monitoring.logPredictions(
            .init(predictions: fixtures.predictions(80, model: model, endingAt: end))
        )
        let response = try await monitoring.runMonitoring(.init(modelName: model, lookbackHours: 1, asOf: end))
        #expect(response.features.allSatisfy { $0.currentPopulation == 0 })
        #expect(response.features.first { $0.feature == "income" }?.currentCount == 80)
        let (json, _) = try await monitoring.artifact(try #require(response.metrics).driftSummaryRef)
        let summary = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(summary["sampleLimit"] == nil)
    }
}
