/// One gate's verdict, with what it saw.
package struct GateCheck: Sendable, Equatable, Codable {
    package var name: String
    /// nil when it could not be observed.
    package var observed: Double?
    package var threshold: Double
    package var passed: Bool
    /// Not applied (and so not blocking), with the reason.
    package var skipped: Bool
    package var reason: String?
}

package enum Verdict: String, Sendable, Codable {
    case promote, reject
}

/// The judgement of a candidate against the version in Production
/// (shared/specs/gate.md, steps 3–6): metrics of both, the F1-gain
/// interval, every gate with its observed value, threshold and verdict,
/// and the action. Pure: the same samples, context and key give the same
/// evaluation.
package struct GateEvaluation: Sendable, Equatable, Codable {
    package var candidate: ClassifierScores
    /// nil when there is no Production version.
    package var production: ClassifierScores?
    package var f1GainInterval: PairedBootstrap?
    package var gates: [GateCheck]
    package var action: Verdict

    /// Differences at a threshold are compared with this much slack, so a
    /// gain of exactly the threshold (0.76 − 0.75) passes despite rounding.
    static let tolerance = 1e-12

    /// - Parameters:
    ///   - coverage: the labelled share monitoring reported, nil when it gave none.
    ///   - key: seeds the bootstrap (the request's idempotency key).
    package init(
        samples: LabelledSamples,
        hasProduction: Bool,
        coverage: Double?,
        thresholds: GateThresholds,
        key: String
    ) {
        let cut = thresholds.decisionThreshold
        let candidate = ClassifierScores(labels: samples.labels, probabilities: samples.candidate, threshold: cut)
        let production =
            hasProduction
            ? ClassifierScores(labels: samples.labels, probabilities: samples.production, threshold: cut) : nil
        var random = SeededRandom(key: key)
        let interval =
            hasProduction
            ? PairedBootstrap(
                labels: samples.labels,
                candidate: samples.candidate,
                production: samples.production,
                threshold: cut,
                resamples: thresholds.bootstrapResamples,
                confidence: thresholds.confidence,
                random: &random
            ) : nil

        func gate(_ name: String, _ observed: Double?, _ threshold: Double, _ pass: (Double) -> Bool) -> GateCheck {
            GateCheck(
                name: name,
                observed: observed,
                threshold: threshold,
                passed: observed.map(pass) ?? false,
                skipped: false,
                reason: nil
            )
        }
        func skipped(_ name: String, _ threshold: Double, _ reason: String) -> GateCheck {
            GateCheck(name: name, observed: nil, threshold: threshold, passed: true, skipped: true, reason: reason)
        }
        let noProduction = "no Production version: judged on the absolute gates alone"
        let t = Self.tolerance
        var gates = [
            gate("min_labeled_samples", Double(samples.labels.count), Double(thresholds.minLabeledSamples)) {
                $0 >= Double(thresholds.minLabeledSamples)
            }
        ]
        gates.append(
            coverage.map { coverage in
                gate("min_coverage_pct", coverage, thresholds.minCoveragePct) { $0 >= thresholds.minCoveragePct - t }
            } ?? skipped("min_coverage_pct", thresholds.minCoveragePct, "monitoring gave no data context")
        )
        if let production, let interval {
            gates.append(
                gate("min_f1_gain", candidate.f1 - production.f1, thresholds.minF1Gain) {
                    $0 >= thresholds.minF1Gain - t
                }
            )
            gates.append(
                gate("max_brier_increase", candidate.brier - production.brier, thresholds.maxBrierIncrease) {
                    $0 <= thresholds.maxBrierIncrease + t
                }
            )
            gates.append(
                thresholds.requireF1GainLowerBoundPositive
                    ? gate("f1_gain_lower_bound", interval.lower, 0) { $0 > 0 }
                    : skipped("f1_gain_lower_bound", 0, "disabled by the policy")
            )
        } else {
            gates.append(skipped("min_f1_gain", thresholds.minF1Gain, noProduction))
            gates.append(skipped("max_brier_increase", thresholds.maxBrierIncrease, noProduction))
            gates.append(skipped("f1_gain_lower_bound", 0, noProduction))
        }
        gates.append(gate("min_f1", candidate.f1, thresholds.minF1) { $0 >= thresholds.minF1 - t })
        var auc = gate("min_roc_auc", candidate.rocAUC, thresholds.minRocAUC) { $0 >= thresholds.minRocAUC - t }
        if candidate.rocAUC == nil { auc.reason = "ROC AUC is undefined: the samples hold only one class" }
        gates.append(auc)

        self.candidate = candidate
        self.production = production
        self.f1GainInterval = interval
        self.gates = gates
        self.action = gates.allSatisfy(\.passed) ? .promote : .reject
    }
}
