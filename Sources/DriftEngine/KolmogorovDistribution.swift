#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The distribution of the one-sample Kolmogorov–Smirnov statistic D_n
/// (SciPy's `kstwo`), which the two-sample test uses for large samples, and
/// the one-sided Smirnov distribution. Branches as Simard & L'Ecuyer (2011):
/// Ruben–Gambino at the ends, 2·Smirnov for large x, Durbin's matrix
/// (Marsaglia–Tsang–Wang) for small x, Pelz–Good in between.
public enum KolmogorovDistribution {
    /// P(D_n ≥ x).
    public static func survival(_ x: Double, n: Int) -> Double {
        let nd = Double(n)
        if x >= 1 { return 0 }
        if x <= 0 { return 1 }
        let t = nd * x
        if t <= 1 {
            if t <= 0.5 { return 1 }
            // n!/n^n (2t − 1)^n
            let cdf = exp(lgamma(nd + 1) - nd * log(nd) + nd * log(2 * t - 1))
            return clip(1 - cdf)
        }
        if t >= nd - 1 { return clip(2 * pow(1 - x, nd)) }
        if x >= 0.5 { return clip(2 * smirnov(n: n, x)) }
        let nxSquared = t * x
        if n <= 140 {
            // Pomeranz's and Durbin's methods are both exact here: one serves.
            if nxSquared <= 4 { return clip(1 - durbinCDF(n: n, x)) }
            return clip(2 * smirnov(n: n, x))
        }
        if nxSquared >= 370 { return 0 }
        if nxSquared >= 2.2 { return clip(2 * smirnov(n: n, x)) }
        let cdf: Double
        if nxSquared >= 18 {
            cdf = 1
        } else if n <= 100_000, nd * pow(x, 1.5) <= 1.4 {
            cdf = durbinCDF(n: n, x)
        } else {
            cdf = pelzGoodCDF(n: n, x)
        }
        return clip(1 - cdf)
    }

    /// P(D_n^+ ≥ x), the one-sided statistic (SciPy's `smirnov`), by the
    /// Birnbaum–Tingey sum, each term in logarithms.
    public static func smirnov(n: Int, _ x: Double) -> Double {
        if x <= 0 { return 1 }
        if x >= 1 { return 0 }
        let nd = Double(n)
        if n == 1 { return 1 - x }
        let last = Int((nd * (1 - x)).rounded(.down))
        var sum = 0.0
        let logNFactorial: Double = lgamma(nd + 1)
        for j in 0...last {
            let jd = Double(j)
            let rest = 1 - x - jd / nd
            guard rest > 0 else { continue }
            let logBinomial = logNFactorial - lgamma(jd + 1) - lgamma(nd - jd + 1)
            sum += exp(logBinomial + (nd - jd) * log(rest) + (jd - 1) * log(x + jd / nd))
        }
        return clip(x * sum)
    }

    /// P(D_n ≤ x) by Durbin's matrix formula, as Marsaglia, Tsang and Wang
    /// (2003) evaluate it: n!/n^n · (H^n)_{k,k}, with the scale kept apart.
    public static func durbinCDF(n: Int, _ x: Double) -> Double {
        let nd = Double(n)
        let k = Int((nd * x).rounded(.down)) + 1
        let m = 2 * k - 1
        let h = Double(k) - nd * x
        var matrix = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0..<m where i - j + 1 >= 0 {
                matrix[i * m + j] = 1 / tgamma(Double(i - j + 2))
            }
        }
        for i in 0..<m {
            matrix[i * m] -= pow(h, Double(i + 1)) / tgamma(Double(i + 2))
            matrix[(m - 1) * m + i] -= pow(h, Double(m - i)) / tgamma(Double(m - i + 1))
        }
        if 2 * h - 1 > 0 { matrix[(m - 1) * m] += pow(2 * h - 1, Double(m)) / tgamma(Double(m + 1)) }

        let (power, exponent) = Self.power(matrix, size: m, n)
        var value = power[(k - 1) * m + (k - 1)]
        var scale = exponent
        for i in 1...n {
            value *= Double(i) / nd
            if value < 1e-140 {
                value *= 1e140
                scale -= 140
            }
        }
        return value * pow(10, Double(scale))
    }

    /// Pelz and Good's (1976) asymptotic series for P(D_n ≤ x).
    public static func pelzGoodCDF(n: Int, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let nd = Double(n)
        let z = nd.squareRoot() * x
        let z2 = z * z
        let z3 = z2 * z
        let z4 = z2 * z2
        let z6 = z4 * z2
        let pi2 = Double.pi * Double.pi
        let pi4 = pi2 * pi2
        let pi6 = pi4 * pi2
        let logQ = -pi2 / 8 / z2
        if logQ < -708 { return 0 }
        let q = exp(logQ)
        let k1a = -z2
        let k1b = pi2 / 4
        let k2a = 6 * z6 + 2 * z4
        let k2b = (2 * z4 - 5 * z2) * pi2 / 4
        let k2c = pi4 * (1 - 2 * z2) / 16
        let k3d = pi6 * (5 - 30 * z2) / 64
        let k3c = pi4 * (-60 * z2 + 212 * z4) / 16
        let k3b = pi2 * (135 * z4 - 96 * z6) / 4
        let k3a = -30 * z6 - 90 * z4 * z4

        // Σ over odd m = 2k − 1 of c(m) q^(m²), by Horner in q^(8k).
        var terms = [0.0, 0.0, 0.0, 0.0]
        let maxK = Int((16 * z / Double.pi).rounded(.up))
        for k in stride(from: maxK, through: 1, by: -1) {
            let m = Double(2 * k - 1)
            let m2 = m * m
            let m4 = m2 * m2
            let m6 = m4 * m2
            let factor = pow(q, Double(8 * k))
            let coefficients = [
                1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6,
            ]
            for index in 0..<4 { terms[index] = terms[index] * factor + coefficients[index] }
        }
        let root2pi = (2 * Double.pi).squareRoot()
        let divisors = [z, 6 * z4, 72 * z4 * z3, 6480 * z6 * z4]
        for index in 0..<4 { terms[index] = terms[index] * q * root2pi / divisors[index] }

        // The terms over all integers k in K2 and K3.
        let q2 = exp(-pi2 / 2 / z2)
        var k2Extra = 0.0
        var k3Extra = 0.0
        let root3z = 3.0.squareRoot() * z
        for k in stride(from: maxK, through: 1, by: -1) {
            let kd = Double(k)
            let weight = kd * kd * pow(q2, kd * kd)
            k2Extra += weight
            k3Extra += (root3z + Double.pi * kd) * (root3z - Double.pi * kd) * weight
        }
        terms[2] += k2Extra * pi2 * root2pi / (-36 * z3)
        terms[3] += k3Extra * pi2 * root2pi / (216 * z6)
        return terms.enumerated().reduce(0) { $0 + $1.element / pow(nd, Double($1.offset) / 2) }
    }

    /// `matrix`^`exponent` by repeated squaring, with a power of ten kept apart.
    private static func power(_ matrix: [Double], size m: Int, _ exponent: Int) -> ([Double], Int) {
        if exponent == 1 { return (matrix, 0) }
        var (half, scale) = power(matrix, size: m, exponent / 2)
        var result = multiply(half, half, size: m)
        scale *= 2
        if exponent % 2 == 1 { result = multiply(result, matrix, size: m) }
        if result[(m / 2) * m + m / 2] > 1e140 {
            for index in result.indices { result[index] *= 1e-140 }
            scale += 140
        }
        half = result
        return (half, scale)
    }

    private static func multiply(_ a: [Double], _ b: [Double], size m: Int) -> [Double] {
        var product = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for l in 0..<m {
                let left = a[i * m + l]
                if left == 0 { continue }
                for j in 0..<m { product[i * m + j] += left * b[l * m + j] }
            }
        }
        return product
    }

    private static func clip(_ p: Double) -> Double { min(max(p, 0), 1) }
}
