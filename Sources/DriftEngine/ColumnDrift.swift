/// One column's samples, as the reference schema types them.
public enum ColumnSamples: Sendable {
    case numeric(reference: [Double], current: [Double])
    case categorical(reference: [String], current: [String])

    public var kind: ColumnKind {
        switch self {
        case .numeric: .numeric
        case .categorical: .categorical
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
                (statistic, score) = discrete(method, reference, current)
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
            var result = empty(feature, kind, reference.count, current.count)
            guard !reference.isEmpty, !current.isEmpty else { return skipped(result, reference.isEmpty) }
            // Counted once: the distinct values, and the shares if a distance needs them.
            let referenceCounts = DiscreteTests.counts(reference)
            let currentCounts = DiscreteTests.counts(current)
            let distinct = Set(referenceCounts.keys).union(currentCounts.keys).count
            result.distinctValues = distinct
            let method =
                options.method(for: feature, kind: kind)
                ?? (reference.count <= 1000 ? (distinct >= 3 ? .chiSquare : .zTest) : .jensenShannon)
            let (statistic, score): (Double, Double)
            switch method {
            case .chiSquare, .zTest:
                (statistic, score) = discrete(method, reference, current)
            case .kolmogorovSmirnov, .wasserstein:
                result.skipped = "\(method.rawValue) needs numeric values"
                return result
            case .jensenShannon, .psi:
                let shares = Shares(
                    referenceCounts: referenceCounts,
                    referenceTotal: reference.count,
                    currentCounts: currentCounts,
                    currentTotal: current.count
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
        _ reference: [Value],
        _ current: [Value]
    ) -> (Double, Double) {
        let outcome =
            method == .chiSquare
            ? DiscreteTests.chiSquare(reference: reference, current: current)
            : DiscreteTests.zTest(reference: reference, current: current)
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
