import ArgumentParser
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

/// The spec's data, drawn from a seeded generator so every run (and the SciPy
/// script, through the written files) sees the same values.
struct GeneratedData {
    var numeric: [(reference: [Double], current: [Double])] = []
    var categorical: [(reference: [String], current: [String])] = []

    init(rows: Int) {
        var random = SplitMix64(seed: 20_261_129)
        for j in 0..<20 {
            let sd = 1 + 0.1 * Double(j)
            let shift = j % 2 == 0 ? 0.2 * sd : 0
            numeric.append(
                (
                    (0..<rows).map { _ in random.normal() * sd },
                    (0..<rows).map { _ in random.normal() * sd + shift }
                )
            )
        }
        for j in 0..<5 {
            let count = 5 + 5 * j
            let uniform = [Double](repeating: 1 / Double(count), count: count)
            var moved = uniform
            if j % 2 == 0 {
                moved[0] += 0.1
                moved = moved.map { $0 / 1.1 }
            }
            categorical.append(
                (
                    (0..<rows).map { _ in "c\(random.category(uniform))" },
                    (0..<rows).map { _ in "c\(random.category(moved))" }
                )
            )
        }
    }

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

    /// Raw little-endian float64 for numeric columns, int32 codes for categories.
    func write(to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (index, column) in numeric.enumerated() {
            for (side, values) in [("ref", column.reference), ("cur", column.current)] {
                let data = values.withUnsafeBufferPointer { Data(buffer: $0) }
                try data.write(to: URL(fileURLWithPath: "\(folder)/num_\(index)_\(side).f64"))
            }
        }
        for (index, column) in categorical.enumerated() {
            for (side, values) in [("ref", column.reference), ("cur", column.current)] {
                let codes = values.map { Int32($0.dropFirst())! }
                let data = codes.withUnsafeBufferPointer { Data(buffer: $0) }
                try data.write(to: URL(fileURLWithPath: "\(folder)/cat_\(index)_\(side).i32"))
            }
        }
    }
}

/// A small, fast, seeded generator (Steele, Lea and Flood's SplitMix64).
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

    /// Standard normal, by Box–Muller.
    mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }

    /// An index drawn with the given probabilities.
    mutating func category(_ probabilities: [Double]) -> Int {
        var u = uniform()
        for (index, p) in probabilities.enumerated() {
            u -= p
            if u <= 0 { return index }
        }
        return probabilities.count - 1
    }
}
