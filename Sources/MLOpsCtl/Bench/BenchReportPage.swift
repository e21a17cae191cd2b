import Foundation
import LoadGeneration

/// `--html FILE`: a benchmark's report as one file with no scripts: the
/// summary and three inline SVG charts (latency over time, the latency
/// histogram, the percentile curve), readable offline and in any browser.
enum BenchReportPage {
    static func html(
        _ report: LoadReport,
        scenario: String,
        objectives: [ServiceLevelObjective],
        server: ServerView?
    ) -> String {
        let percentiles = LoadReport.reportedPercentiles.map { percentile in
            "<tr><td>\(percentile == 100 ? "max" : "p" + BenchPresentation.format(percentile))</td>"
                + "<td>\(BenchPresentation.format(report.milliseconds(atPercentile: percentile))) ms</td></tr>"
        }.joined()
        let statuses =
            (["<tr><td>OK</td><td>\(report.succeeded)</td><td></td></tr>"]
            + report.statuses.map {
                "<tr><td>\(escaped($0.code))</td><td>\($0.count)</td><td>\(escaped($0.example))</td></tr>"
            }).joined()
        let verdicts = objectives.map { objective in
            let met = objective.isMet(by: report)
            return
                "<li class=\"\(met ? "met" : "missed")\">\(met ? "met" : "missed"): \(escaped(objective.description))"
                + " (\(escaped(objective.explain(report))))</li>"
        }.joined()
        let serverView =
            server.map {
                "<p>The server's own metrics: \(Int($0.calls)) calls (\(BenchPresentation.format($0.rate))/s), mean "
                    + "\(BenchPresentation.format($0.meanMilliseconds)) ms, p99 ≈ "
                    + "\(BenchPresentation.format($0.p99Milliseconds)) ms, \(Int($0.poolWaits)) pool waits.</p>"
            } ?? ""
        let timeline = report.timeline
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escaped(scenario))</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; max-width: 60em; }
            table { border-collapse: collapse; } td { padding: 2px 12px 2px 0; }
            .chart { display: block; margin: 0.5em 0 1.5em; } .axis { stroke: #888; }
            .tick { font-size: 10px; fill: #555; } .p50 { stroke: #2a6fdb; fill: none; stroke-width: 1.5; }
            .p99 { stroke: #d9822b; fill: none; stroke-width: 1.5; } .max { stroke: #c23030; fill: none; }
            .bar { fill: #2a6fdb; } .curve { stroke: #2a6fdb; fill: none; stroke-width: 2; }
            .met { color: #1d7a3a; } .missed { color: #c23030; font-weight: bold; }
            .k50 { color: #2a6fdb; } .k99 { color: #d9822b; } .kmax { color: #c23030; }
            </style></head><body>
            <h1>\(escaped(scenario))</h1>
            <p id="load">\(escaped(BenchPresentation.describe(report.model))): \(report.sent) calls sent in \
            \(BenchPresentation.format(report.seconds)) s, \(report.succeeded) succeeded, \(report.failed) failed, \
            \(report.unfinished) unfinished; \(BenchPresentation.format(report.achievedRate))/s answered\
            \(report.targetRate.map { " of \(BenchPresentation.format($0))/s scheduled" } ?? "").</p>
            \(verdicts.isEmpty ? "" : "<ul id=\"objectives\">\(verdicts)</ul>")
            \(serverView)
            <h2>Latency over time</h2>
            <p class="legend">Each second's calls, by scheduled start (ms): <span class="k50">p50</span>, \
            <span class="k99">p99</span>, <span class="kmax">max</span>.</p>
            \(lineChart(
                [
                    ("p50", timeline.map { (Double($0.second), $0.p50Milliseconds) }),
                    ("p99", timeline.map { (Double($0.second), $0.p99Milliseconds) }),
                    ("max", timeline.map { (Double($0.second), $0.maxMilliseconds) }),
                ],
                label: "latency over time: p50, p99 and max each second (ms)", xUnit: "s"
            ))
            <h2>Latency histogram</h2>
            \(barChart(report.histogram(buckets: 20), label: "calls by latency (ms)"))
            <h2>Percentile curve</h2>
            \(lineChart(
                [("curve", report.percentileCurve().map { (Self.percentileAxis($0.percentile), $0.milliseconds) })],
                label: "latency by percentile (ms); each step right halves the calls left", xUnit: "",
                xTicks: [(0, "0%"), (1, "50%"), (2, "75%"), (log2(10), "90%"), (log2(100), "99%"), (log2(1_000), "99.9%")]
            ))
            <h2>Percentiles</h2><table>\(percentiles)</table>
            <h2>Statuses</h2><table>\(statuses)</table>
            </body></html>
            """
    }

    /// How far right a percentile sits: one step per halving of the calls above it.
    static func percentileAxis(_ percentile: Double) -> Double {
        min(log2(100 / max(100 - percentile, 100 / 16_384)), 14)
    }

    private static let (width, height, left, top, bottom) = (720.0, 220.0, 48.0, 10.0, 28.0)

    /// Lines over a shared x axis, one class (colour) per series.
    static func lineChart(
        _ series: [(name: String, points: [(x: Double, y: Double)])],
        label: String,
        xUnit: String,
        xTicks: [(Double, String)]? = nil
    ) -> String {
        let all = series.flatMap(\.points)
        let (xMax, yMax) = (max(all.map(\.x).max() ?? 1, 1e-9), max(all.map(\.y).max() ?? 1, 1e-9))
        let plot = (width: width - left - 10, height: height - top - bottom)
        func x(_ value: Double) -> Double { left + plot.width * value / xMax }
        func y(_ value: Double) -> Double { top + plot.height * (1 - value / yMax) }
        var svg = open(label)
        for (name, points) in series where !points.isEmpty {
            let path = points.map { "\(number(x($0.x))),\(number(y($0.y)))" }.joined(separator: " ")
            svg += "<polyline class=\"\(name)\" points=\"\(path)\"><title>\(name)</title></polyline>\n"
        }
        let ticks =
            xTicks
            ?? stride(from: 0.0, through: xMax, by: max(1, (xMax / 6).rounded(.up))).map {
                ($0, "\(Int($0))\(xUnit)")
            }
        for (value, text) in ticks where value <= xMax {
            svg += "<text class=\"tick\" x=\"\(number(x(value)))\" y=\"\(number(height - 8))\">\(text)</text>\n"
        }
        return svg + yTicks(yMax, y) + "</svg>"
    }

    static func barChart(_ buckets: [(upToMilliseconds: Double, calls: Int)], label: String) -> String {
        let most = Double(max(buckets.map(\.calls).max() ?? 1, 1))
        let plot = (width: width - left - 10, height: height - top - bottom)
        let slot = plot.width / Double(max(buckets.count, 1))
        var svg = open(label)
        for (index, bucket) in buckets.enumerated() {
            let h = plot.height * Double(bucket.calls) / most
            svg +=
                "<rect class=\"bar\" x=\"\(number(left + Double(index) * slot + 1))\" y=\"\(number(top + plot.height - h))\" "
            svg += "width=\"\(number(max(slot - 2, 1)))\" height=\"\(number(h))\"><title>≤ "
            svg += "\(BenchPresentation.format(bucket.upToMilliseconds)) ms: \(bucket.calls) calls</title></rect>\n"
        }
        for index in stride(from: 0, to: buckets.count, by: max(1, buckets.count / 5)) {
            svg += "<text class=\"tick\" x=\"\(number(left + Double(index) * slot))\" y=\"\(number(height - 8))\">"
            svg += "≤ \(BenchPresentation.format(buckets[index].upToMilliseconds)) ms</text>\n"
        }
        return svg + "</svg>"
    }

    private static func open(_ label: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" class="chart" width="\(Int(width))" height="\(Int(height))" \
        viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(escaped(label))">
        <line class="axis" x1="\(Int(left))" y1="\(Int(height - bottom))" x2="\(Int(width))" y2="\(Int(height - bottom))"/>
        <line class="axis" x1="\(Int(left))" y1="\(Int(top))" x2="\(Int(left))" y2="\(Int(height - bottom))"/>

        """
    }

    private static func yTicks(_ yMax: Double, _ y: (Double) -> Double) -> String {
        [0, 0.5, 1].map { share in
            "<text class=\"tick\" x=\"4\" y=\"\(number(y(yMax * share) + 4))\">\(BenchPresentation.format(yMax * share))</text>\n"
        }.joined()
    }

    private static func number(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
