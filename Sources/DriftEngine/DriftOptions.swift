/// How columns are tested: methods and thresholds per feature, per column
/// kind, or for all, in that order of precedence; the dataset share; the
/// multiple-testing correction.
package struct DriftOptions: Sendable, Equatable, Codable {
    package enum Correction: String, Sendable, Codable {
        case none
        case bonferroni
        case benjaminiHochberg = "benjamini-hochberg"
    }

    package var featureMethods: [String: DriftMethod] = [:]
    package var kindMethods: [ColumnKind: DriftMethod] = [:]
    package var method: DriftMethod?
    package var featureThresholds: [String: Double] = [:]
    package var kindThresholds: [ColumnKind: Double] = [:]
    package var threshold: Double?
    /// The dataset drifts when at least this share of tested columns does.
    package var driftShare = 0.5
    package var correction = Correction.none
    /// Jensen–Shannon in bits rather than nats.
    package var jensenShannonBase2 = false
    /// Count the prediction column in the dataset's drift share.
    package var predictionInRatio = false

    package init() {}

    func method(for feature: String, kind: ColumnKind) -> DriftMethod? {
        featureMethods[feature] ?? kindMethods[kind] ?? method
    }

    func threshold(for feature: String, kind: ColumnKind, method: DriftMethod) -> Double {
        featureThresholds[feature] ?? kindThresholds[kind] ?? threshold ?? method.defaultThreshold
    }
}

package enum ColumnKind: String, Sendable, Codable, CaseIterable {
    case numeric, categorical
}

package enum DriftMethod: String, Sendable, Codable, CaseIterable {
    case kolmogorovSmirnov = "ks"
    case chiSquare = "chisquare"
    case zTest = "z"
    case wasserstein = "wasserstein"
    case jensenShannon = "jensenshannon"
    case psi = "psi"

    package var defaultThreshold: Double {
        switch self {
        case .kolmogorovSmirnov, .chiSquare, .zTest: 0.05
        case .wasserstein, .jensenShannon, .psi: 0.1
        }
    }

    /// p-value tests (drift when p is small) as opposed to distances.
    package var givesPValue: Bool {
        switch self {
        case .kolmogorovSmirnov, .chiSquare, .zTest: true
        case .wasserstein, .jensenShannon, .psi: false
        }
    }

    /// Evidently's comparisons, mixed as they are: KS drifts at p ≤ t,
    /// chi-square and Z at p < t, distances at score ≥ t.
    package func drifted(_ value: Double, threshold: Double) -> Bool {
        switch self {
        case .kolmogorovSmirnov: value <= threshold
        case .chiSquare, .zTest: value < threshold
        case .wasserstein, .jensenShannon, .psi: value >= threshold
        }
    }
}
