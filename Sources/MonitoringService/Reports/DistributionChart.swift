import DriftEngine
import Foundation

/// A small inline-SVG chart of a feature's reference and current
/// distributions: shares per bin (numeric) or per category, side by side.
/// A few kilobytes each, whatever the sample sizes.
enum DistributionChart {
    struct Bar {
        var label: String
        var reference: Double
        var current: Double
    }

    static let width = 420.0
    static let height = 150.0

    static func svg(for feature: DatasetSchema.Feature, reference: FeatureTable, current: WindowSample) -> String {
        let bars =
            switch feature.kind {
            case .numeric:
                numericBars(
                    reference.numericSample(feature.name).filter(\.isFinite),
                    (current.numbers(of: feature.name)?.values ?? []).filter(\.isFinite)
                )
            case .categorical:
                categoricalBars(
                    DiscreteTests.counts(reference.categoricalSample(feature.name)),
                    current.categories(of: feature.name)
                )
            }
        return svg(bars, title: feature.name)
    }

    /// Twenty equal bins over the range both samples span.
    static func numericBars(_ reference: [Double], _ current: [Double], bins: Int = 20) -> [Bar] {
        let all = [reference, current]
        guard let low = all.compactMap({ $0.min() }).min(), let high = all.compactMap({ $0.max() }).max() else {
            return []
        }
        let width = high > low ? (high - low) / Double(bins) : 1
        func shares(_ values: [Double]) -> [Double] {
            var counts = [Double](repeating: 0, count: bins)
            for value in values { counts[min(bins - 1, Int((value - low) / width))] += 1 }
            return counts.map { values.isEmpty ? 0 : $0 / Double(values.count) }
        }
        let (r, c) = (shares(reference), shares(current))
        return (0..<bins).map { Bar(label: short(low + width * Double($0)), reference: r[$0], current: c[$0]) }
    }

    /// The twelve categories with the largest share on either side; the rest as one bar.
    static func categoricalBars(_ r: [String: Int], _ c: [String: Int], shown: Int = 12) -> [Bar] {
        let (referenceTotal, currentTotal) = (DiscreteTests.total(r), DiscreteTests.total(c))
        func share(_ count: Int?, _ total: Int) -> Double { total == 0 ? 0 : Double(count ?? 0) / Double(total) }
        var bars = Set(r.keys).union(c.keys).map {
            Bar(label: $0, reference: share(r[$0], referenceTotal), current: share(c[$0], currentTotal))
        }
        bars.sort {
            max($0.reference, $0.current) > max($1.reference, $1.current)
                || (max($0.reference, $0.current) == max($1.reference, $1.current) && $0.label < $1.label)
        }
        guard bars.count > shown else { return bars }
        let rest = bars[(shown - 1)...]
        return Array(bars[..<(shown - 1)]) + [
            Bar(
                label: "\(rest.count) others",
                reference: rest.map(\.reference).reduce(0, +),
                current: rest.map(\.current).reduce(0, +)
            )
        ]
    }

    static func svg(_ bars: [Bar], title: String) -> String {
        let top = 8.0
        let bottom = 28.0
        let plot = height - top - bottom
        let peak = max(bars.map { max($0.reference, $0.current) }.max() ?? 0, 1e-9)
        // Room on the left for the first tick's label (a minus sign included).
        let left = 16.0
        let slot = bars.isEmpty ? width - left : (width - left) / Double(bars.count)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(HTML.escaped(title)): reference and current">
            <line x1="0" y1="\(fmt(top + plot))" x2="\(Int(width))" y2="\(fmt(top + plot))" class="axis"/>

            """
        for (index, bar) in bars.enumerated() {
            let x = left + Double(index) * slot
            let barWidth = max(slot * 0.4, 1)
            for (offset, share, kind) in [(0.1, bar.reference, "ref"), (0.5, bar.current, "cur")] {
                let h = plot * share / peak
                svg += "<rect class=\"\(kind)\" x=\"\(fmt(x + slot * offset))\" y=\"\(fmt(top + plot - h))\" "
                svg += "width=\"\(fmt(barWidth))\" height=\"\(fmt(h))\"><title>\(HTML.escaped(bar.label)) "
                svg += "\(kind == "ref" ? "reference" : "current") \(fmt(share * 100))%</title></rect>\n"
            }
        }
        // A few labels along the axis, not one per bar.
        let step = max(1, bars.count / 5)
        for index in stride(from: 0, to: bars.count, by: step) {
            let x = left + Double(index) * slot + slot / 2
            svg += "<text x=\"\(fmt(x))\" y=\"\(fmt(height - 10))\" class=\"tick\">"
            svg += "\(HTML.escaped(String(bars[index].label.prefix(12))))</text>\n"
        }
        return svg + "</svg>"
    }

    private static func fmt(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private static func short(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1000 || (magnitude < 0.01 && magnitude > 0) {
            return String(format: "%.2g", value)
        }
        return String((value * 100).rounded() / 100)
    }
}

/// Text made safe for HTML, in content and in attributes.
enum HTML {
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
