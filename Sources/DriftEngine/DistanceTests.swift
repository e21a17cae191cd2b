#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The distances used for large references (shared/specs/drift.md).
public enum DistanceTests {
    /// W1 between the two samples (the area between their empirical CDFs),
    /// and that divided by max(the reference's population std, 0.001). Both
    /// samples sorted ascending: one merge walk, no further sort.
    public static func wassersteinNormed(
        sortedReference a: [Double],
        sortedCurrent b: [Double]
    ) -> (distance: Double, score: Double) {
        let na = Double(a.count)
        let nb = Double(b.count)
        var i = 0
        var j = 0
        var distance = 0.0
        var x = min(a[0], b[0])
        while i < a.count || j < b.count {
            // Past every value equal to x: the CDFs' heights just right of x.
            while i < a.count, a[i] <= x { i += 1 }
            while j < b.count, b[j] <= x { j += 1 }
            guard i < a.count || j < b.count else { break }
            let next = j >= b.count || (i < a.count && a[i] < b[j]) ? a[i] : b[j]
            distance += abs(Double(i) / na - Double(j) / nb) * (next - x)
            x = next
        }
        var sum = 0.0
        for value in a { sum += value }
        let mean = sum / na
        var squares = 0.0
        for value in a { squares += (value - mean) * (value - mean) }
        let std = (squares / na).squareRoot()
        return (distance, distance / max(std, 0.001))
    }

    /// √(Jensen–Shannon divergence) of two share vectors, natural log (or
    /// base 2), no smoothing: 0…√ln 2.
    public static func jensenShannon(_ p: [Double], _ q: [Double], base2: Bool = false) -> Double {
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
    public static func psi(reference: [Double], current: [Double]) -> Double {
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
