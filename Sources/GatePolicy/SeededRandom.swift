#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small seeded generator (SplitMix64) with the binomial and multinomial
/// draws the bootstrap needs: the same seed always gives the same draws.
package struct SeededRandom: Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    /// A seed from text (FNV-1a over its UTF-8 bytes): an idempotency key
    /// gives the same interval every time.
    package init(key: String) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        self.init(seed: hash)
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    package mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

    /// Standard normal, by Box–Muller.
    package mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }

    /// An index drawn with the given probabilities.
    package mutating func category(_ probabilities: [Double]) -> Int {
        var u = uniform()
        for (index, p) in probabilities.enumerated() {
            u -= p
            if u <= 0 { return index }
        }
        return probabilities.count - 1
    }

    /// Counts of `n` draws over cells with the given probabilities (summing
    /// to 1), as binomials conditioned on what earlier cells took.
    package mutating func multinomial(_ n: Int, _ probabilities: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: probabilities.count)
        conditionalDraws(n, Self.conditional(probabilities), from: 0, into: &counts)
        return counts
    }

    /// The cells from `start` on, `remaining` draws left: each cell's
    /// probability given that the draw fell in none of the cells before it,
    /// with its logarithms.
    mutating func conditionalDraws(
        _ remaining: Int,
        _ conditional: [(p: Double, logP: Double, logQ: Double)],
        from start: Int,
        into counts: inout [Int]
    ) {
        var remaining = remaining
        for index in start..<conditional.count {
            guard remaining > 0 else { break }
            let cell = conditional[index]
            if index == conditional.count - 1 || cell.p >= 1 {
                counts[index] = remaining
                break
            }
            let draw = binomial(remaining, cell.p, logP: cell.logP, logQ: cell.logQ)
            counts[index] = draw
            remaining -= draw
        }
    }

    /// Each cell's probability given the cells before it took nothing.
    static func conditional(_ probabilities: [Double]) -> [(p: Double, logP: Double, logQ: Double)] {
        var mass = 1.0
        return probabilities.map { share in
            let p = mass <= share ? 1 : min(1, max(0, share / mass))
            mass -= share
            return (p, log(p), log1p(-p))
        }
    }

    /// A Binomial(n, p) draw: inversion for small means, Hörmann's BTRS
    /// (transformed rejection with squeeze) otherwise, exact either way.
    package mutating func binomial(_ n: Int, _ p: Double) -> Int {
        binomial(n, p, logP: log(p), logQ: log1p(-p))
    }

    /// The same, with log p and log(1 − p) given: a sampler drawing many
    /// times with one p works them out once.
    mutating func binomial(_ n: Int, _ p: Double, logP: Double, logQ: Double) -> Int {
        guard n > 0, p > 0 else { return 0 }
        guard p < 1 else { return n }
        if p > 0.5 { return n - binomial(n, 1 - p, logP: logQ, logQ: logP) }
        return Double(n) * p < 10
            ? inversion(n, p, logQ: logQ) : transformedRejection(n, p, logPOverQ: logP - logQ)
    }

    private mutating func inversion(_ n: Int, _ p: Double, logQ: Double) -> Int {
        let q = 1 - p
        let s = p / q
        let a = Double(n + 1) * s
        while true {
            var r = exp(Double(n) * logQ)
            var u = uniform()
            var x = 0
            while u > r {
                u -= r
                x += 1
                if x > n { break }
                r *= a / Double(x) - s
            }
            if x <= n { return x }
        }
    }

    private mutating func transformedRejection(_ n: Int, _ p: Double, logPOverQ lpq: Double) -> Int {
        let q = 1 - p
        let nd = Double(n)
        let spq = (nd * p * q).squareRoot()
        let b = 1.15 + 2.53 * spq
        let a = -0.0873 + 0.0248 * b + 0.01 * p
        let c = nd * p + 0.5
        let vr = 0.92 - 4.2 / b
        // Only the rare draws outside the squeeze need these: computed once, when first needed.
        var alpha = 0.0
        var m = 0.0
        var h = Double.nan
        while true {
            let u = uniform() - 0.5
            var v = uniform()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + c).rounded(.down)
            if us >= 0.07 && v <= vr { return Int(k) }
            if k < 0 || k > nd { continue }
            if h.isNaN {
                alpha = (2.83 + 5.1 / b) * spq
                m = ((nd + 1) * p).rounded(.down)
                h = Self.logFactorial(m) + Self.logFactorial(nd - m)
            }
            v = log(v * alpha / (a / (us * us) + b))
            if v <= h - Self.logFactorial(k) - Self.logFactorial(nd - k) + (k - m) * lpq { return Int(k) }
        }
    }

    /// log(k!) from a table for the sample sizes the gate sees, lgamma beyond.
    static func logFactorial(_ k: Double) -> Double {
        let index = Int(k)
        return index < logFactorials.count ? logFactorials[index] : lgamma(k + 1)
    }

    private static let logFactorials: [Double] = {
        var table = [0.0]
        table.reserveCapacity(1 << 16)
        for k in 1..<(1 << 16) { table.append(lgamma(Double(k) + 1)) }
        return table
    }()
}

/// Many multinomial draws with the same `n` and cell probabilities, as the
/// bootstrap makes: the first cell's Binomial(n, p₀) is the same in every
/// draw, so its distribution is tabulated once and drawn by bisection; the
/// other cells are conditional binomials as in `SeededRandom.multinomial`.
package struct MultinomialSampler: Sendable {
    let n: Int
    let probabilities: [Double]
    private let conditional: [(p: Double, logP: Double, logQ: Double)]
    /// P(first cell ≤ low + i), over the counts with any probability to speak of.
    private let firstCDF: [Double]
    private let low: Int

    package init(n: Int, probabilities: [Double]) {
        self.n = n
        self.probabilities = probabilities
        conditional = SeededRandom.conditional(probabilities)
        let p = probabilities.first ?? 0
        guard n > 0, p > 0, p < 1 else {
            (firstCDF, low) = ([1], p >= 1 ? n : 0)
            return
        }
        let q = 1 - p
        let nd = Double(n)
        let spread = 12 * (nd * p * q).squareRoot() + 2
        let low = max(0, Int((nd * p - spread).rounded(.down)))
        let high = min(n, Int((nd * p + spread).rounded(.up)))
        let logN = SeededRandom.logFactorial(nd)
        let (logP, logQ) = (log(p), log(q))
        var cdf: [Double] = []
        cdf.reserveCapacity(high - low + 1)
        var total = 0.0
        for k in low...high {
            let kd = Double(k)
            total += exp(
                logN - SeededRandom.logFactorial(kd) - SeededRandom.logFactorial(nd - kd) + kd * logP + (nd - kd) * logQ
            )
            cdf.append(total)
        }
        self.firstCDF = cdf.map { $0 / total }
        self.low = low
    }

    package func draw(_ random: inout SeededRandom) -> [Int] {
        var counts = [Int](repeating: 0, count: probabilities.count)
        draw(&random, into: &counts)
        return counts
    }

    /// A draw into `counts` (one per cell), reused across draws so a bootstrap allocates nothing per resample.
    package func draw(_ random: inout SeededRandom, into counts: inout [Int]) {
        for index in counts.indices { counts[index] = 0 }
        guard n > 0, !probabilities.isEmpty else { return }
        // The first k whose cumulative probability reaches u.
        let u = random.uniform()
        var lo = 0
        var hi = firstCDF.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if firstCDF[mid] >= u { hi = mid } else { lo = mid + 1 }
        }
        let first = min(n, low + lo)
        counts[0] = first
        random.conditionalDraws(n - first, conditional, from: 1, into: &counts)
    }
}
