import DriftEngine
import Foundation

/// The window's HTML report: one self-contained page (inline CSS and SVG,
/// nothing fetched) with the verdict first, the features by drift, and a
/// chart per feature of reference against current.
enum DriftReportPage {
    static func html(
        _ summary: WindowSummary,
        schema: DatasetSchema?,
        reference: FeatureTable?,
        current: WindowSample
    ) -> String {
        let verdict: String
        let verdictClass: String
        if let reason = summary.reason {
            (verdict, verdictClass) = ("No verdict: \(reason)", "none")
        } else if summary.datasetDrift {
            (verdict, verdictClass) = ("Dataset drift detected", "drift")
        } else {
            (verdict, verdictClass) = ("No dataset drift", "ok")
        }
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Drift report: \(HTML.escaped(summary.model)) at \(time(summary.windowEnd))</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:980px}
            h1{font-size:20px}h2{font-size:16px;margin-top:28px}
            .verdict{padding:12px 16px;border-radius:6px;font-size:18px;font-weight:600}
            .verdict.drift{background:#fde2e1;color:#9b1c1c}.verdict.ok{background:#e1f5e6;color:#1c6b34}
            .verdict.none{background:#eee;color:#444}
            table{border-collapse:collapse;margin-top:8px}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}
            td.num{text-align:right;font-variant-numeric:tabular-nums}
            tr.drifted td{background:#fff4f3}
            .feature{display:inline-block;vertical-align:top;margin:8px 16px 8px 0}
            .chart .ref{fill:#9aa5b1}.chart .cur{fill:#d9480f}.chart .axis{stroke:#888}
            .chart .tick{font-size:10px;fill:#555;text-anchor:middle}
            .legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
            </style></head><body>
            <h1>Drift report: \(HTML.escaped(summary.model))</h1>
            <p class="verdict \(verdictClass)" id="verdict">\(HTML.escaped(verdict))</p>
            <p>\(summary.driftedFeatures) of \(summary.testedFeatures) tested features drifted \
            (share \(percent(summary.featureDriftRatio))). Window (\(time(summary.windowStart)), \(time(summary.windowEnd))], \
            \(summary.lookbackHours) h; \(summary.predictions) predictions, \(summary.labeled) labelled \
            (\(percent(summary.labelCoverage))); reference \(summary.reference.map { "version \($0.version)" } ?? "none").</p>

            """
        if let limit = summary.sampleLimit {
            page += """
                <p id="sample">A numeric column with more than \(limit) values in the window was tested on a \
                uniform sample of \(limit) of them, the same each time the window is computed ("values": the \
                sample, of the window's). Categories and the prediction statistics count every row.</p>

                """
        }
        if let statistics = summary.statistics {
            page += """
                <table><tr><th>positive rate</th><th>mean probability</th><th>std</th><th>entropy (bits)</th></tr>
                <tr><td class="num">\(number(statistics.positiveRate))</td><td class="num">\(number(statistics.mean))</td>
                <td class="num">\(number(statistics.standardDeviation))</td><td class="num">\(number(statistics.entropy))</td></tr></table>

                """
        }
        let columns = summary.features + (summary.prediction.map { [$0] } ?? [])
        if !columns.isEmpty {
            page += """
                <h2>Features by drift</h2>
                <table id="features"><tr><th>feature</th><th>type</th><th>values</th><th>test</th><th>statistic</th>\
                <th>p-value / score</th><th>threshold</th><th>drift</th></tr>

                """
            for column in columns {
                page += "<tr class=\"\(column.drifted ? "drifted" : "")\"><td>\(HTML.escaped(column.feature))</td>"
                page += "<td>\(column.kind.rawValue)</td><td class=\"num\">\(column.currentCount)"
                page += column.currentPopulation.map { " of \($0)</td>" } ?? "</td>"
                if let skipped = column.skipped {
                    page += "<td colspan=\"5\">skipped: \(HTML.escaped(skipped))</td></tr>\n"
                    continue
                }
                page += "<td>\(column.method?.rawValue ?? "")</td><td class=\"num\">\(number(column.statistic))</td>"
                page +=
                    "<td class=\"num\">\(number(column.score))</td><td class=\"num\">\(number(column.threshold))</td>"
                page += "<td>\(column.drifted ? "drifted" : "no")</td></tr>\n"
            }
            page += "</table>\n"
        }
        if !summary.unknownFeatures.isEmpty {
            page += "<p>Not in the reference's schema, not tested: "
            page += summary.unknownFeatures.map(HTML.escaped).joined(separator: ", ") + ".</p>\n"
        }
        if let schema, let reference {
            page += """
                <h2>Distributions</h2>
                <p class="legend"><span style="background:#9aa5b1"></span>reference<span style="background:#d9480f"></span>current</p>

                """
            let kinds = Dictionary(schema.features.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for column in summary.features {
                guard let feature = kinds[column.feature] else { continue }
                page += "<div class=\"feature\"><h3>\(HTML.escaped(feature.name))"
                page += column.drifted ? " (drifted)" : ""
                page += "</h3>\n" + DistributionChart.svg(for: feature, reference: reference, current: current)
                page += "</div>\n"
            }
        }
        return page + "</body></html>\n"
    }

    private static func time(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
    }

    private static func percent(_ share: Double) -> String {
        String(format: "%.1f%%", share * 100)
    }

    private static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4g", value) : (value > 0 ? "∞" : value < 0 ? "−∞" : "NaN")
    }
}
