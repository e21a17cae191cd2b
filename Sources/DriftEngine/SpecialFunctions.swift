#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The special functions the tests need, written out so their accuracy is
/// known (each is checked against SciPy's values in the tests).
public enum SpecialFunctions {
    /// Q(a, x) = Γ(a, x) / Γ(a), the upper regularised incomplete gamma
    /// function (SciPy's `gammaincc`): a power series below x < a + 1, a
    /// continued fraction (modified Lentz) above, both to machine precision.
    public static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0, "a must be positive")
        if x <= 0 { return 1 }
        if x.isInfinite { return 0 }
        let logPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            // P(a, x) = e^{-x} x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n))
            var term = 1 / a
            var sum = term
            var denominator = a
            for _ in 0..<10_000 {
                denominator += 1
                term *= x / denominator
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return 1 - sum * exp(logPrefix)
        }
        // Q(a, x) = e^{-x} x^a / Γ(a) · 1 / (x + 1 - a - 1·(1-a) / (x + 3 - a - …))
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var fraction = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            fraction *= delta
            if abs(delta - 1) < 1e-17 { break }
        }
        return exp(logPrefix) * fraction
    }

    /// Φ(x), the standard normal distribution function.
    public static func normalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }
}
