/// How columns are tested: methods and thresholds per feature, per column
/// kind, or for all, in that order of precedence; the dataset share; the
/// multiple-testing correction.
public struct DriftConfiguration: Sendable, Equatable, Codable {
    public enum Correction: String, Sendable, Codable {
        case none
        case bonferroni
        case benjaminiHochberg = "benjamini-hochberg"
    }

    public var featureMethods: [String: StatTest] = [:]
    public var kindMethods: [ColumnKind: StatTest] = [:]
    public var method: StatTest?
    public var featureThresholds: [String: Double] = [:]
    public var kindThresholds: [ColumnKind: Double] = [:]
    public var threshold: Double?
    /// The dataset drifts when at least this share of tested columns does.
    public var driftShare = 0.5
    public var correction = Correction.none
    /// Jensen–Shannon in bits rather than nats.
    public var jensenShannonBase2 = false
    /// Count the prediction column in the dataset's drift share.
    public var predictionInRatio = false

    public init() {}

    func method(for feature: String, kind: ColumnKind) -> StatTest? {
        featureMethods[feature] ?? kindMethods[kind] ?? method
    }

    func threshold(for feature: String, kind: ColumnKind, method: StatTest) -> Double {
        featureThresholds[feature] ?? kindThresholds[kind] ?? threshold ?? method.defaultThreshold
    }
}

public enum ColumnKind: String, Sendable, Codable, CaseIterable {
    case numeric, categorical
}

public enum StatTest: String, Sendable, Codable, CaseIterable {
    case kolmogorovSmirnov = "ks"
    case chiSquare = "chisquare"
    case zTest = "z"
    case wasserstein = "wasserstein"
    case jensenShannon = "jensenshannon"
    case psi = "psi"

    public var defaultThreshold: Double {
        switch self {
        case .kolmogorovSmirnov, .chiSquare, .zTest: 0.05
        case .wasserstein, .jensenShannon, .psi: 0.1
        }
    }

    /// p-value tests (drift when p is small) as opposed to distances.
    public var givesPValue: Bool {
        switch self {
        case .kolmogorovSmirnov, .chiSquare, .zTest: true
        case .wasserstein, .jensenShannon, .psi: false
        }
    }

    /// Evidently's comparisons, mixed as they are: KS drifts at p ≤ t,
    /// chi-square and Z at p < t, distances at score ≥ t.
    public func drifted(_ value: Double, threshold: Double) -> Bool {
        switch self {
        case .kolmogorovSmirnov: value <= threshold
        case .chiSquare, .zTest: value < threshold
        case .wasserstein, .jensenShannon, .psi: value >= threshold
        }
    }
}
