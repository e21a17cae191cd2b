/// The tests for columns with few distinct values (shared/specs/drift.md).
public enum DiscreteTests {
    public struct Outcome: Equatable, Sendable {
        public var statistic: Double
        public var pValue: Double
    }

    /// Chi-square goodness of fit of the current counts against the reference
    /// counts scaled to the current sample's size, as Evidently computes it.
    /// A category the reference never saw makes the statistic infinite.
    public static func chiSquare<Value: Hashable & Comparable>(reference: [Value], current: [Value]) -> Outcome {
        chiSquare(referenceCounts: counts(reference), currentCounts: counts(current))
    }

    /// The same from counts already taken (a window streamed keeps only its counts).
    /// Categories are summed in sorted order, so equal counts give equal bits.
    public static func chiSquare<Value: Hashable & Comparable>(
        referenceCounts: [Value: Int],
        currentCounts: [Value: Int]
    ) -> Outcome {
        let categories = Set(referenceCounts.keys).union(currentCounts.keys).sorted()
        let scale = Double(total(currentCounts)) / Double(total(referenceCounts))
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
        zTest(referenceCounts: counts(reference), currentCounts: counts(current))
    }

    /// The same from counts already taken.
    public static func zTest<Value: Comparable & Hashable>(
        referenceCounts: [Value: Int],
        currentCounts: [Value: Int]
    ) -> Outcome {
        let union = Set(referenceCounts.keys).union(currentCounts.keys)
        if union.count == 1 { return Outcome(statistic: 0, pValue: 1) }
        let zero = union.min()!
        let (referenceTotal, currentTotal) = (total(referenceCounts), total(currentCounts))
        let n1 = Double(referenceTotal)
        let n2 = Double(currentTotal)
        let p1 = Double(referenceTotal - referenceCounts[zero, default: 0]) / n1
        let p2 = Double(currentTotal - currentCounts[zero, default: 0]) / n2
        let pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        return Outcome(statistic: z, pValue: 2 * (1 - SpecialFunctions.normalCDF(abs(z))))
    }

    public static func total<Value>(_ counts: [Value: Int]) -> Int { counts.values.reduce(0, +) }

    public static func counts<Value: Hashable>(_ values: [Value]) -> [Value: Int] {
        values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }
}
