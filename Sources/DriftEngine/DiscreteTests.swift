/// The tests for columns with few distinct values (shared/specs/drift.md).
public enum DiscreteTests {
    public struct Outcome: Equatable, Sendable {
        public var statistic: Double
        public var pValue: Double
    }

    /// Chi-square goodness of fit of the current counts against the reference
    /// counts scaled to the current sample's size, as Evidently computes it.
    /// A category the reference never saw makes the statistic infinite.
    public static func chiSquare<Value: Hashable>(reference: [Value], current: [Value]) -> Outcome {
        let referenceCounts = counts(reference)
        let currentCounts = counts(current)
        let categories = Set(referenceCounts.keys).union(currentCounts.keys)
        let scale = Double(current.count) / Double(reference.count)
        var statistic = 0.0
        for category in categories {
            let expected = Double(referenceCounts[category, default: 0]) * scale
            let observed = Double(currentCounts[category, default: 0])
            statistic += expected == 0 ? .infinity : (observed - expected) * (observed - expected) / expected
        }
        let degrees = Double(categories.count - 1)
        let p =
            statistic.isInfinite || degrees <= 0
            ? (statistic.isInfinite ? 0 : 1) : SpecialFunctions.regularizedUpperGamma(degrees / 2, statistic / 2)
        return Outcome(statistic: statistic, pValue: p)
    }

    /// The Z-test for two proportions: the first value of the sorted union
    /// counts as 0, every other as 1. p = 2·(1 − Φ(|z|)), computed literally.
    public static func zTest<Value: Comparable & Hashable>(reference: [Value], current: [Value]) -> Outcome {
        let union = Set(reference).union(current)
        if union.count == 1 { return Outcome(statistic: 0, pValue: 1) }
        let zero = union.min()!
        let n1 = Double(reference.count)
        let n2 = Double(current.count)
        let p1 = Double(reference.filter { $0 != zero }.count) / n1
        let p2 = Double(current.filter { $0 != zero }.count) / n2
        let pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        return Outcome(statistic: z, pValue: 2 * (1 - SpecialFunctions.normalCDF(abs(z))))
    }

    public static func counts<Value: Hashable>(_ values: [Value]) -> [Value: Int] {
        values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }
}
