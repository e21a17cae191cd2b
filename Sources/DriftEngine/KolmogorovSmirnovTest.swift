#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The two-sample Kolmogorov–Smirnov test, two-sided, with SciPy's
/// `ks_2samp(method='auto')` p-values: exact when both samples have at most
/// 10,000 values, else `kstwo.sf(D, round(n₁n₂/(n₁+n₂)))`.
public enum KolmogorovSmirnovTest {
    public struct Outcome: Equatable, Sendable {
        /// D: the largest gap between the two empirical distribution functions.
        public var statistic: Double
        public var pValue: Double
        public var exact: Bool
    }

    public static let exactLimit = 10_000

    /// Both samples sorted ascending, finite.
    public static func test(sortedReference a: [Double], sortedCurrent b: [Double]) -> Outcome {
        let n1 = a.count
        let n2 = b.count
        let d = statistic(a, b)
        if max(n1, n2) <= exactLimit, let (exactD, p) = exactPValue(n1, n2, d) {
            return Outcome(statistic: exactD, pValue: p, exact: true)
        }
        let (m, n) = (Double(max(n1, n2)), Double(min(n1, n2)))
        let effective = Int((m * n / (m + n)).rounded(.toNearestOrEven))
        return Outcome(statistic: d, pValue: KolmogorovDistribution.survival(d, n: effective), exact: false)
    }

    /// max |F₁(x) − F₂(x)| over every observed x, both CDFs right-continuous.
    static func statistic(_ a: [Double], _ b: [Double]) -> Double {
        var i = 0
        var j = 0
        var d = 0.0
        let n1 = Double(a.count)
        let n2 = Double(b.count)
        while i < a.count || j < b.count {
            let x = j >= b.count || (i < a.count && a[i] <= b[j]) ? a[i] : b[j]
            while i < a.count, a[i] <= x { i += 1 }
            while j < b.count, b[j] <= x { j += 1 }
            d = max(d, abs(Double(i) / n1 - Double(j) / n2))
        }
        return d
    }

    /// The exact p-value, with D snapped to the lattice (h / lcm); nil when
    /// the lattice is too large or the computation leaves [0, 1].
    static func exactPValue(_ n1: Int, _ n2: Int, _ d: Double) -> (Double, Double)? {
        let g = gcd(n1, n2)
        guard n1 / g < Int(Int32.max) / (n2 / g) else { return nil }
        let lcm = (n1 / g) * n2
        let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
        let snapped = Double(h) / Double(lcm)
        if h == 0 { return (snapped, 1) }
        let p = n1 == n2 ? outsideSquare(n: n1, h: h) : outsideBand(n1, n2, g: g, h: h)
        guard p.isFinite, p >= 0, p <= 1 else { return nil }
        return (snapped, p)
    }

    /// Equal sizes: the share of lattice paths that leave |x − y| < h, by the
    /// alternating sum 2 Σ (−1)^(k+1) C(2n, n−kh) / C(2n, n), nested so that
    /// no two large terms are subtracted.
    static func outsideSquare(n: Int, h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var ratio = 1.0
            for j in 0..<h {
                ratio = Double(n - k * h - j) * ratio / Double(n + k * h + j + 1)
            }
            p = ratio * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// Unequal sizes: the share of lattice paths from (0,0) to (m,n) that
    /// leave the band |x·n/g − y·m/g| < h, computed directly as the share
    /// (the "1 − p" form of the inside method), one column at a time over
    /// the band only: A(x,y) = (x·A(x−1,y) + y·A(x,y−1)) / (x+y), and 1 outside.
    static func outsideBand(_ first: Int, _ second: Int, g: Int, h: Int) -> Double {
        let (m, n) = first >= second ? (first, second) : (second, first)
        let mg = m / g
        let ng = n / g
        func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
        func ceilDivide(_ a: Int, _ b: Int) -> Int { -floorDivide(-a, b) }
        var column = [Double](repeating: 1, count: n + 1)
        var low = 0
        var high = min(ceilDivide(h, mg), n + 1)
        for j in low..<high { column[j] = 0 }
        for i in 1...m {
            let previousLow = low
            let previousHigh = high
            low = min(max(floorDivide(ng * i - h, mg) + 1, 0), n)
            high = min(ceilDivide(ng * i + h, mg), n + 1)
            if high <= low { return 1 }
            // Cells that left the band are outside now.
            for j in previousLow..<min(low, previousHigh) { column[j] = 1 }
            for j in max(high, previousLow)..<max(previousHigh, high) { column[j] = 1 }
            var below = low == 0 ? 0.0 : 1.0
            for j in low..<high {
                below = (column[j] * Double(i) + below * Double(j)) / Double(i + j)
                column[j] = below
            }
        }
        return column[n]
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
