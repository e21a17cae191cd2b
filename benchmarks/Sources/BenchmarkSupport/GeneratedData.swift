import Foundation

/// The spec's data, drawn from a seeded generator so every run (and the SciPy
/// script, through the written files) sees the same values.
package struct GeneratedData: Sendable {
    package var numeric: [(reference: [Double], current: [Double])] = []
    package var categorical: [(reference: [String], current: [String])] = []

    package init(rows: Int) {
        var random = SeededGenerator(seed: 20_261_129)
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

    /// Raw little-endian float64 for numeric columns, int32 codes for categories.
    package func write(to folder: String) throws {
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
