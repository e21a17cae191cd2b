#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The distances used for large references (shared/specs/drift.md).
package enum DistanceTests {
    /// W1 between the two samples (the area between their empirical CDFs),
    /// and that divided by max(the reference's population std, 0.001).
    package static func wassersteinNormed(reference: [Double], current: [Double]) -> (distance: Double, score: Double) {
        let a = reference.sorted()
        let b = current.sorted()
        let values = (a + b).sorted()
        var distance = 0.0
        var i = 0
        var j = 0
        for k in 0..<(values.count - 1) {
            let x = values[k]
            while i < a.count, a[i] <= x { i += 1 }
            while j < b.count, b[j] <= x { j += 1 }
            let gap = abs(Double(i) / Double(a.count) - Double(j) / Double(b.count))
            distance += gap * (values[k + 1] - x)
        }
        let mean = a.reduce(0, +) / Double(a.count)
        let std = (a.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(a.count)).squareRoot()
        return (distance, distance / max(std, 0.001))
    }

    /// √(Jensen–Shannon divergence) of two share vectors, natural log (or
    /// base 2), no smoothing: 0…√ln 2.
    package static func jensenShannon(_ p: [Double], _ q: [Double], base2: Bool = false) -> Double {
        func kl(_ x: [Double], _ m: [Double]) -> Double {
            zip(x, m).reduce(0) { sum, pair in pair.0 > 0 ? sum + pair.0 * log(pair.0 / pair.1) : sum }
        }
        let m = zip(p, q).map { ($0 + $1) / 2 }
        var divergence = (kl(p, m) + kl(q, m)) / 2
        if base2 { divergence /= log(2) }
        return max(divergence, 0).squareRoot()
    }

    /// The population stability index of reference and current shares, with
    /// zero shares replaced as Evidently replaces them.
    package static func psi(reference: [Double], current: [Double]) -> Double {
        func filled(_ shares: [Double]) -> [Double] {
            let smallest = shares.filter { $0 > 0 }.min() ?? 1
            let replacement = smallest <= 1e-4 ? smallest / 1e6 : 1e-4
            return shares.map { $0 == 0 ? replacement : $0 }
        }
        let r = filled(reference)
        let c = filled(current)
        return zip(r, c).reduce(0) { $0 + ($1.0 - $1.1) * log($1.0 / $1.1) }
    }
}
