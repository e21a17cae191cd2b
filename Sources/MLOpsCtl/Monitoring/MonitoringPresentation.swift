import Foundation
import MLOpsMessages

/// How monitoring results are shown: a table by default, JSON with `--json`.
enum MonitoringPresentation {
    static func print(_ reference: ReferenceDataset, json: Bool) {
        if json {
            Swift.print(self.json(reference).render())
            return
        }
        var table = Table("MODEL", "VERSION", "SOURCE", "ROWS", "CREATED", "BY", "SCHEMA")
        table.add(
            reference.modelName,
            String(reference.version),
            reference.source == .window
                ? "window (\(time(reference.windowStart)), \(time(reference.windowEnd))]" : "upload",
            String(reference.rowCount),
            time(reference.createdAt),
            reference.createdBy,
            reference.schema.map { "\($0.name):\($0.type == .numeric ? "num" : "cat")" }.joined(separator: " ")
        )
        Swift.print(table.render())
    }

    /// One window; `replayed` (when known) says whether it was the stored result.
    static func print(_ metrics: MonitoringMetrics, features: [FeatureDrift], replayed: Bool? = nil, json: Bool) {
        if json {
            var object = self.json(metrics)
            if case .object(var members) = object {
                members.append(("features", .array(features.map(self.json))))
                if let replayed { members.append(("replayed", .bool(replayed))) }
                object = .object(members)
            }
            Swift.print(object.render())
            return
        }
        print([metrics], json: false)
        if !metrics.reason.isEmpty { Swift.print("reason: \(metrics.reason)") }
        guard !features.isEmpty else { return }
        var table = Table("FEATURE", "TYPE", "TEST", "STATISTIC", "P-VALUE/SCORE", "THRESHOLD", "DRIFT")
        for feature in features {
            table.add(
                feature.feature,
                feature.type == .numeric ? "numeric" : "categorical",
                feature.skipped ? "skipped: \(feature.skipReason)" : method(feature.method),
                feature.skipped ? "" : number(feature.statistic),
                number(feature.pValue ?? feature.score),
                feature.skipped ? "" : number(feature.threshold),
                feature.drifted ? "DRIFT" : "-"
            )
        }
        Swift.print("\n" + table.render())
        Swift.print("\nreport: \(metrics.driftReportRef)\nsummary: \(metrics.driftSummaryRef)")
    }

    static func print(_ metrics: [MonitoringMetrics], json: Bool) {
        if json {
            Swift.print(JSONValue.array(metrics.map(self.json)).render())
            return
        }
        var table = Table(
            "WINDOW END",
            "MODEL",
            "HOURS",
            "PREDICTIONS",
            "LABELLED",
            "POS RATE",
            "DRIFTED",
            "SHARE",
            "DATASET DRIFT",
            "REF"
        )
        for row in metrics {
            table.add(
                time(row.timestamp),
                row.modelName,
                String(row.lookbackHours),
                String(row.numPredictions),
                String(format: "%.0f%%", row.labelCoverage * 100),
                number(row.positiveRate),
                String(row.numDriftedFeatures),
                String(format: "%.2f", row.featureDriftRatio),
                row.datasetDriftDetected ? "YES" : "no",
                row.referenceVersion == 0 ? "-" : "v\(row.referenceVersion)"
            )
        }
        Swift.print(table.render())
    }

    static func print(_ points: [DriftTrendPoint], json: Bool) {
        if json {
            Swift.print(
                JSONValue.array(
                    points.map {
                        .object([
                            ("timestamp", .string(time($0.timestamp))),
                            ("feature_drift_ratio", .number($0.featureDriftRatio)),
                            ("num_drifted_features", .integer(Int64($0.numDriftedFeatures))),
                            ("dataset_drift_detected", .bool($0.datasetDriftDetected)),
                        ])
                    }
                ).render()
            )
            return
        }
        var table = Table("WINDOW END", "DRIFTED", "SHARE", "DATASET DRIFT", "")
        for point in points {
            table.add(
                time(point.timestamp),
                String(point.numDriftedFeatures),
                String(format: "%.2f", point.featureDriftRatio),
                point.datasetDriftDetected ? "YES" : "no",
                String(repeating: "█", count: Int((point.featureDriftRatio * 20).rounded()))
            )
        }
        Swift.print(table.render())
    }

    static func print(_ context: GetDataContextResponse, json: Bool) {
        let members: [(String, JSONValue)] = [
            ("window_start", .string(time(context.windowStart))), ("window_end", .string(time(context.windowEnd))),
            ("predictions", .integer(context.predictions)), ("labeled", .integer(context.labeled)),
            ("coverage", .number(context.coveragePct)),
            ("latest_window", context.latestMetrics.map { self.json($0) } ?? .null),
            ("drifted_features", .array(context.driftedFeatures.map(JSONValue.string))),
        ]
        if json {
            Swift.print(JSONValue.object(members).render())
            return
        }
        Swift.print("window (\(time(context.windowStart)), \(time(context.windowEnd))]")
        Swift.print(
            "predictions \(context.predictions), labelled \(context.labeled) (\(String(format: "%.1f%%", context.coveragePct * 100)))"
        )
        if let latest = context.latestMetrics {
            Swift.print(
                "latest window \(time(latest.timestamp)): dataset drift \(latest.datasetDriftDetected ? "YES" : "no"), "
                    + "drifted: \(context.driftedFeatures.isEmpty ? "none" : context.driftedFeatures.joined(separator: ", "))"
            )
        } else {
            Swift.print("no window has run yet")
        }
    }

    static func json(_ metrics: MonitoringMetrics) -> JSONValue {
        .object([
            ("id", .string(metrics.id)), ("model", .string(metrics.modelName)),
            ("timestamp", .string(time(metrics.timestamp))), ("lookback_hours", .integer(Int64(metrics.lookbackHours))),
            ("num_predictions", .integer(metrics.numPredictions)),
            ("labeled_predictions", .integer(metrics.labeledPredictions)),
            ("label_coverage", .number(metrics.labelCoverage)),
            ("positive_rate", metrics.positiveRate.map(JSONValue.number) ?? .null),
            ("probability_mean", metrics.probabilityMean.map(JSONValue.number) ?? .null),
            ("probability_std", metrics.probabilityStd.map(JSONValue.number) ?? .null),
            ("entropy", metrics.entropy.map(JSONValue.number) ?? .null),
            ("dataset_drift_detected", .bool(metrics.datasetDriftDetected)),
            ("feature_drift_ratio", .number(metrics.featureDriftRatio)),
            ("num_drifted_features", .integer(Int64(metrics.numDriftedFeatures))),
            ("reference_version", .integer(metrics.referenceVersion)),
            ("reason", metrics.reason.isEmpty ? .null : .string(metrics.reason)),
            ("report", .string(metrics.driftReportRef)), ("summary", .string(metrics.driftSummaryRef)),
            ("revision", .integer(Int64(metrics.revision))), ("computed_by", .string(metrics.computedBy)),
        ])
    }

    static func json(_ feature: FeatureDrift) -> JSONValue {
        .object([
            ("feature", .string(feature.feature)),
            ("type", .string(feature.type == .numeric ? "numeric" : "categorical")),
            ("method", .string(method(feature.method))), ("statistic", .number(feature.statistic)),
            ("p_value", feature.pValue.map(JSONValue.number) ?? .null),
            ("score", feature.score.map(JSONValue.number) ?? .null), ("threshold", .number(feature.threshold)),
            ("drifted", .bool(feature.drifted)), ("skipped", feature.skipped ? .string(feature.skipReason) : .null),
        ])
    }

    static func json(_ reference: ReferenceDataset) -> JSONValue {
        .object([
            ("model", .string(reference.modelName)), ("version", .integer(reference.version)),
            ("source", .string(reference.source == .window ? "window" : "upload")),
            ("rows", .integer(reference.rowCount)), ("created", .string(time(reference.createdAt))),
            ("created_by", .string(reference.createdBy)),
            (
                "schema",
                .object(reference.schema.map { ($0.name, .string($0.type == .numeric ? "numeric" : "categorical")) })
            ),
        ])
    }

    static func method(_ method: DriftMethod) -> String {
        switch method {
        case .kolmogorovSmirnov: "KS"
        case .chiSquare: "chi-square"
        case .zTest: "Z"
        case .wassersteinNormed: "Wasserstein"
        case .jensenShannon: "Jensen-Shannon"
        case .psi: "PSI"
        default: "-"
        }
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        return value.isFinite ? String(format: "%.4g", value) : (value > 0 ? "inf" : "-inf")
    }

    static func time(_ milliseconds: Int64) -> String { RegistryPresentation.time(milliseconds) }
}
