import Foundation

/// A reproducible random source for generated benchmark data (SplitMix64):
/// every run, and the peers reading the written files, see the same values.
struct SeededGenerator {
    private var state: UInt64

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

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())
    }

    /// An index drawn with the given probabilities.
    mutating func category(_ probabilities: [Double]) -> Int {
        var u = uniform()
        for (index, p) in probabilities.enumerated() {
            if u < p { return index }
            u -= p
        }
        return probabilities.count - 1
    }
}
