import ArgumentParser
import BenchmarkSupport
import DriftEngine
import Foundation

/// The drift computation on the spec's generated data (shared/specs/drift.md,
/// "Speed to beat"): 100,000 reference and 100,000 current rows, 20 numeric and
/// 5 categorical columns, every column tested once, columns spread over the cores.
@main
struct DriftBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Times the drift engine on the spec's generated data (benchmarks/run-drift.sh)."
    )

    @Option var rows = 100_000
    @Option var repeats = 5
    @Option(help: "Also write the generated data here, for benchmarks/drift_scipy.py.") var writeData: String?

    func run() throws {
        let data = GeneratedData(rows: rows)
        if let writeData { try data.write(to: writeData) }
        var times: [Double] = []
        var result: DatasetDrift?
        for _ in 0..<repeats {
            let started = ContinuousClock.now
            result = data.analyse()
            let elapsed = ContinuousClock.now - started
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let median = times.sorted()[times.count / 2]
        let drifted = result!.columns.filter(\.drifted).map(\.feature)
        print(
            String(
                format: "ours seconds=%.3f peak_mb=%.0f drifted=%d share=%.2f dataset_drift=%@ columns=%@",
                median,
                peakResidentMegabytes(),
                drifted.count,
                result!.featureDriftRatio,
                result!.datasetDrift ? "true" : "false",
                drifted.joined(separator: ",")
            )
        )
    }

    /// VmHWM: the most memory the process ever held.
    private func peakResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(whereSeparator: \.isWhitespace)[1])
        else { return 0 }
        return kilobytes / 1024
    }
}

extension GeneratedData {
    /// Every column once, spread over the cores.
    func analyse() -> DatasetDrift {
        let columns = numeric.count + categorical.count
        // Each iteration writes only its own slot.
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<ColumnDrift?>.allocate(capacity: columns)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: columns) { index in
            if index < numeric.count {
                let column = numeric[index]
                results[index] = ColumnDrift.test(
                    "num_\(index)",
                    .numeric(reference: column.reference, current: column.current)
                )
            } else {
                let column = categorical[index - numeric.count]
                results[index] = ColumnDrift.test(
                    "cat_\(index - numeric.count)",
                    .categorical(reference: column.reference, current: column.current)
                )
            }
        }
        return DatasetDrift(columns: results.map { $0! })
    }
}
