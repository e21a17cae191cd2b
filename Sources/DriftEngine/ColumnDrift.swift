/// One column's samples, as the reference schema types them.
public enum ColumnSamples: Sendable {
    case numeric(reference: [Double], current: [Double])
    case categorical(reference: [String], current: [String])
    /// Categories already counted: what a window streamed in bounded memory keeps.
    case categoricalCounts(reference: [String: Int], current: [String: Int])

    public var kind: ColumnKind {
        switch self {
        case .numeric: .numeric
        case .categorical, .categoricalCounts: .categorical
        }
    }
}

/// What one column's test found.
public struct ColumnDrift: Sendable, Equatable, Codable {
    public var feature: String
    public var kind: ColumnKind
    /// nil when the column could not be tested (`skipped` says why).
    public var method: StatTest?
    /// D, χ², z or the distance.
    public var statistic: Double
    /// For p-value tests; after any multiple-testing correction.
    public var pValue: Double?
    /// What is compared with the threshold: the p-value or the distance.
    public var score: Double
    public var threshold: Double
    public var drifted: Bool
    public var skipped: String?
    public var referenceCount: Int
    public var currentCount: Int
    /// The feature's values in the window when `currentCount` is a uniform
    /// sample of them (a window larger than its budget); nil when every value was tested.
    public var currentPopulation: Int?
    public var distinctValues: Int

    /// Tests one column (shared/specs/drift.md, "Per column"): non-finite
    /// values dropped, the test chosen by size and distinct values unless
    /// configured, and the verdict by the test's own comparison.
    public static func test(
        _ feature: String,
        _ samples: ColumnSamples,
        options: DriftConfiguration = DriftConfiguration()
    )
        -> ColumnDrift
    {
        let kind = samples.kind
        switch samples {
        case .numeric(let reference, let current):
            let reference = reference.filter(\.isFinite).sorted()
            let current = current.filter(\.isFinite).sorted()
            var result = empty(feature, kind, reference.count, current.count)
            guard !reference.isEmpty, !current.isEmpty else { return skipped(result, reference.isEmpty) }
            let distinct = SortedValues.distinctCount(reference, current)
            result.distinctValues = distinct
            let method =
                options.method(for: feature, kind: kind)
                ?? (reference.count <= 1000
                    ? (distinct > 5 ? .kolmogorovSmirnov : distinct >= 3 ? .chiSquare : .zTest)
                    : (distinct > 5 ? .wasserstein : .jensenShannon))
            let (statistic, score): (Double, Double)
            switch method {
            case .kolmogorovSmirnov:
                let outcome = KolmogorovSmirnovTest.test(sortedReference: reference, sortedCurrent: current)
                (statistic, score) = (outcome.statistic, outcome.pValue)
            case .chiSquare, .zTest:
                (statistic, score) = discrete(method, DiscreteTests.counts(reference), DiscreteTests.counts(current))
            case .wasserstein:
                let outcome = DistanceTests.wassersteinNormed(sortedReference: reference, sortedCurrent: current)
                (statistic, score) = (outcome.score, outcome.score)
            case .jensenShannon, .psi:
                let shares = Shares(sortedNumericReference: reference, sortedCurrent: current)
                let distance = distance(method, shares, options)
                (statistic, score) = (distance, distance)
            }
            return decided(result, method, statistic, score, options)
        case .categorical(let reference, let current):
            let counts = ColumnSamples.categoricalCounts(
                reference: DiscreteTests.counts(reference),
                current: DiscreteTests.counts(current)
            )
            return test(feature, counts, options: options)
        case .categoricalCounts(let referenceCounts, let currentCounts):
            let referenceTotal = DiscreteTests.total(referenceCounts)
            let currentTotal = DiscreteTests.total(currentCounts)
            var result = empty(feature, kind, referenceTotal, currentTotal)
            guard referenceTotal > 0, currentTotal > 0 else { return skipped(result, referenceTotal == 0) }
            let distinct = Set(referenceCounts.keys).union(currentCounts.keys).count
            result.distinctValues = distinct
            let method =
                options.method(for: feature, kind: kind)
                ?? (referenceTotal <= 1000 ? (distinct >= 3 ? .chiSquare : .zTest) : .jensenShannon)
            let (statistic, score): (Double, Double)
            switch method {
            case .chiSquare, .zTest:
                (statistic, score) = discrete(method, referenceCounts, currentCounts)
            case .kolmogorovSmirnov, .wasserstein:
                result.skipped = "\(method.rawValue) needs numeric values"
                return result
            case .jensenShannon, .psi:
                let shares = Shares(
                    referenceCounts: referenceCounts,
                    referenceTotal: referenceTotal,
                    currentCounts: currentCounts,
                    currentTotal: currentTotal
                )
                let distance = distance(method, shares, options)
                (statistic, score) = (distance, distance)
            }
            return decided(result, method, statistic, score, options)
        }
    }

    /// Chi-square or Z: (statistic, p-value).
    private static func discrete<Value: Hashable & Comparable>(
        _ method: StatTest,
        _ reference: [Value: Int],
        _ current: [Value: Int]
    ) -> (Double, Double) {
        let outcome =
            method == .chiSquare
            ? DiscreteTests.chiSquare(referenceCounts: reference, currentCounts: current)
            : DiscreteTests.zTest(referenceCounts: reference, currentCounts: current)
        return (outcome.statistic, outcome.pValue)
    }

    private static func distance(_ method: StatTest, _ shares: Shares, _ options: DriftConfiguration) -> Double {
        method == .psi
            ? DistanceTests.psi(reference: shares.reference, current: shares.current)
            : DistanceTests.jensenShannon(shares.reference, shares.current, base2: options.jensenShannonBase2)
    }

    private static func empty(_ feature: String, _ kind: ColumnKind, _ reference: Int, _ current: Int) -> ColumnDrift {
        ColumnDrift(
            feature: feature,
            kind: kind,
            method: nil,
            statistic: 0,
            pValue: nil,
            score: 0,
            threshold: 0,
            drifted: false,
            skipped: nil,
            referenceCount: reference,
            currentCount: current,
            currentPopulation: nil,
            distinctValues: 0
        )
    }

    private static func skipped(_ result: ColumnDrift, _ referenceEmpty: Bool) -> ColumnDrift {
        var result = result
        result.skipped = "no finite values in the \(referenceEmpty ? "reference" : "current") sample"
        return result
    }

    private static func decided(
        _ result: ColumnDrift,
        _ method: StatTest,
        _ statistic: Double,
        _ score: Double,
        _ options: DriftConfiguration
    ) -> ColumnDrift {
        var result = result
        result.method = method
        result.statistic = statistic
        result.score = score
        result.pValue = method.givesPValue ? score : nil
        result.threshold = options.threshold(for: result.feature, kind: result.kind, method: method)
        result.drifted = method.drifted(score, threshold: result.threshold)
        return result
    }
}
