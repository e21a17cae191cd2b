import Foundation
import GatePolicy
import Testing

@Suite("Each gate passes at its boundary and fails past it")
struct GateEvaluationTests {
    /// 400 samples on which the candidate is clearly better than production.
    private static let better: LabelledSamples = {
        var random = SeededRandom(seed: 11)
        var labels: [Int32] = []
        var candidate: [Double] = []
        var production: [Double] = []
        for _ in 0..<400 {
            let label: Int32 = random.uniform() < 0.5 ? 1 : 0
            labels.append(label)
            candidate.append(min(1, max(0, 0.25 + 0.5 * Double(label) + 0.4 * (random.uniform() - 0.5))))
            production.append(min(1, max(0, 0.35 + 0.3 * Double(label) + 0.6 * (random.uniform() - 0.5))))
        }
        return LabelledSamples(labels: labels, candidate: candidate, production: production)
    }()

    private func evaluate(
        _ samples: LabelledSamples = better,
        hasProduction: Bool = true,
        coverage: Double? = 0.5,
        _ change: (inout GateThresholds) -> Void = { _ in }
    ) -> GateEvaluation {
        var thresholds = GateThresholds()
        change(&thresholds)
        return GateEvaluation(
            samples: samples,
            hasProduction: hasProduction,
            coverage: coverage,
            thresholds: thresholds,
            key: "key"
        )
    }

    private func gate(_ evaluation: GateEvaluation, _ name: String) -> GateCheck {
        evaluation.gates.first { $0.name == name }!
    }

    @Test func aClearlyBetterCandidateIsPromotedWithEveryGateReported() {
        let evaluation = evaluate()
        #expect(evaluation.action == .promote)
        #expect(
            evaluation.gates.map(\.name) == [
                "min_labeled_samples", "min_coverage_pct", "min_f1_gain", "max_brier_increase", "f1_gain_lower_bound",
                "min_f1", "min_roc_auc",
            ]
        )
        #expect(evaluation.gates.allSatisfy { $0.passed && !$0.skipped && $0.observed != nil })
        #expect(evaluation.f1GainInterval!.lower > 0)
    }

    @Test func labelledSamples() {
        #expect(gate(evaluate { $0.minLabeledSamples = 400 }, "min_labeled_samples").passed)
        let short = evaluate { $0.minLabeledSamples = 401 }
        #expect(!gate(short, "min_labeled_samples").passed && short.action == .reject)
    }

    @Test func coverage() {
        #expect(gate(evaluate(coverage: 0.3), "min_coverage_pct").passed)
        #expect(!gate(evaluate(coverage: 0.2999), "min_coverage_pct").passed)
        let unknown = gate(evaluate(coverage: nil), "min_coverage_pct")
        #expect(unknown.skipped && unknown.passed && unknown.reason == "monitoring gave no data context")
    }

    @Test func f1Gain() {
        let gain = gate(evaluate(), "min_f1_gain").observed!
        #expect(gate(evaluate { $0.minF1Gain = gain }, "min_f1_gain").passed)
        #expect(!gate(evaluate { $0.minF1Gain = gain + 1e-9 }, "min_f1_gain").passed)
    }

    @Test func brierIncrease() {
        // Swapped, production is the better one: the candidate's Brier score rises.
        let worse = LabelledSamples(
            labels: Self.better.labels,
            candidate: Self.better.production,
            production: Self.better.candidate
        )
        let increase = gate(evaluate(worse), "max_brier_increase").observed!
        #expect(increase > 0)
        #expect(gate(evaluate(worse) { $0.maxBrierIncrease = increase }, "max_brier_increase").passed)
        #expect(!gate(evaluate(worse) { $0.maxBrierIncrease = increase - 1e-9 }, "max_brier_increase").passed)
        #expect(evaluate(worse).action == .reject)
    }

    @Test func theIntervalMustClearZero() {
        let same = LabelledSamples(
            labels: Self.better.labels,
            candidate: Self.better.candidate,
            production: Self.better.candidate
        )
        let evaluation = evaluate(same) { $0.minF1Gain = 0 }
        let bound = gate(evaluation, "f1_gain_lower_bound")
        #expect(bound.observed == 0 && !bound.passed && evaluation.action == .reject)
        let relaxed = evaluate(same) {
            $0.minF1Gain = 0
            $0.requireF1GainLowerBoundPositive = false
        }
        #expect(gate(relaxed, "f1_gain_lower_bound").skipped && relaxed.action == .promote)
    }

    @Test func minimumF1AndTheAbsentProductionVersion() {
        let alone = evaluate(hasProduction: false)
        #expect(alone.production == nil && alone.f1GainInterval == nil && alone.action == .promote)
        for name in ["min_f1_gain", "max_brier_increase", "f1_gain_lower_bound"] {
            #expect(gate(alone, name).skipped)
        }
        let f1 = alone.candidate.f1
        #expect(evaluate(hasProduction: false) { $0.minF1 = f1 }.action == .promote)
        #expect(evaluate(hasProduction: false) { $0.minF1 = f1 + 1e-9 }.action == .reject)
    }

    @Test func oneClassLeavesROCAUCUndefinedAndFailsItsGate() {
        let positives = LabelledSamples(
            labels: [Int32](repeating: 1, count: 300),
            candidate: [Double](repeating: 0.9, count: 300),
            production: [Double](repeating: 0.4, count: 300)
        )
        let auc = gate(evaluate(positives), "min_roc_auc")
        #expect(auc.observed == nil && !auc.passed)
        #expect(auc.reason == "ROC AUC is undefined: the samples hold only one class")
    }

    @Test func malformedSamplesAreNamed() {
        func problem(_ samples: LabelledSamples, hasProduction: Bool = true) -> String? {
            do {
                _ = try samples.validated(hasProduction: hasProduction)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(
            problem(.init(labels: [1, 0], candidate: [0.5], production: [0.1, 0.2]))?.contains("parallel") == true
        )
        #expect(
            problem(.init(labels: [1, 2], candidate: [0.5, 0.5], production: [0.1, 0.2]))
                == "labels[1] is 2: labels are 0 or 1"
        )
        #expect(
            problem(.init(labels: [1, 0], candidate: [1.5, 0.5], production: [0.1, 0.2]))?.hasPrefix(
                "candidate_probabilities[0] is 1.5"
            ) == true
        )
        #expect(
            problem(.init(labels: [1, 0], candidate: [0.5, 0.5], production: [0.1, .nan]))?.hasPrefix(
                "production_probabilities[1] is nan"
            ) == true
        )
        #expect(problem(.init(labels: [], candidate: [], production: [])) == "there are no labelled samples")
        #expect(problem(.init(labels: [1], candidate: [0.5], production: []), hasProduction: false) == nil)
        #expect(problem(.init(labels: [1], candidate: [0.5], production: []))?.contains("parallel") == true)
    }

    @Test func thresholdsDecodeWithDefaultsForWhatIsNotGiven() throws {
        let thresholds = try JSONDecoder().decode(GateThresholds.self, from: Data(#"{"minF1Gain": 0.02}"#.utf8))
        var expected = GateThresholds()
        expected.minF1Gain = 0.02
        #expect(thresholds == expected)
        var broken = GateThresholds()
        broken.confidence = 1
        #expect(throws: InvalidThresholds.self) { try broken.validated() }
    }
}
