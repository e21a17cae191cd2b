import DriftEngine
import Foundation

/// What a window's computation needs, read in one snapshot under its claim.
struct WindowInput: Sendable {
    var model: String
    var start: Int64
    var end: Int64
    var lookbackHours: Int
    var reference: ReferenceRecord?
    var referenceTable: FeatureTable?
    var current: WindowSample
    var labeled: Int
    /// The most values of a numeric column tested; more are sampled down to it.
    var sampleLimit: Int
    /// How long reading the reference and the window's rows took.
    var readTime: Duration
}

/// A window computed: its summary, and the summary and report files it left.
struct ComputedWindow: Sendable {
    var input: WindowInput
    var summary: WindowSummary
    var json: Data
    var refs: (summary: String, report: String)
}

extension WindowInput {
    /// The drift tests and statistics, the JSON summary and the HTML report,
    /// written as files. Holds no database connection: it runs between the
    /// transaction that read the window and the one that stores its row.
    func compute(_ options: DriftConfiguration, artifacts: ArtifactStore) throws -> ComputedWindow {
        var summary = WindowSummary(
            model: model,
            windowStart: start,
            windowEnd: end,
            lookbackHours: lookbackHours,
            reference: reference.map { .init(id: $0.id, version: $0.version) },
            predictions: current.rowCount,
            labeled: labeled,
            statistics: current.statistics,
            datasetDrift: false,
            featureDriftRatio: 0,
            driftedFeatures: 0,
            testedFeatures: 0,
            features: [],
            prediction: nil,
            unknownFeatures: [],
            reason: nil,
            sampleLimit: current.isSampled ? sampleLimit : nil
        )
        if current.rowCount == 0 {
            summary.reason = "no predictions in the window"
        } else if let reference, let referenceTable {
            let drift = WindowDrift(
                reference: referenceTable,
                schema: reference.schema,
                current: current,
                options: options
            )
            summary.datasetDrift = drift.dataset.datasetDrift
            summary.featureDriftRatio = drift.dataset.featureDriftRatio
            summary.driftedFeatures = drift.dataset.driftedCount
            summary.testedFeatures = drift.dataset.testedCount
            summary.features = drift.dataset.columns.sorted(by: ColumnDrift.byDrift)
            summary.prediction = drift.prediction
            summary.unknownFeatures = drift.unknownFeatures
            summary.reason = drift.dataset.reason
        } else {
            summary.reason = "model '\(model)' has no reference dataset"
        }
        let json = try WindowSummary.encoder.encode(summary)
        let page = DriftReportPage.html(summary, schema: reference?.schema, reference: referenceTable, current: current)
        let refs = try artifacts.write(model: model, windowEnd: end, summary: json, report: page)
        return ComputedWindow(input: self, summary: summary, json: json, refs: refs)
    }
}
