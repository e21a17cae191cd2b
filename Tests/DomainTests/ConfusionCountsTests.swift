import GatePolicy
import Testing

@Suite("Classifier counts and metrics, as scikit-learn with zero_division=0")
struct ConfusionCountsTests {
    @Test func countsCallsAtTheThreshold() {
        // p >= 0.5 is positive: 0.5 itself counts as a positive call.
        let counts = ConfusionCounts(
            labels: [1, 1, 1, 0, 0, 0, 1],
            probabilities: [0.9, 0.5, 0.49, 0.5, 0.1, 0.2, 0.7]
        )
        #expect(counts == ConfusionCounts(truePositives: 3, falsePositives: 1, trueNegatives: 2, falseNegatives: 1))
        // sklearn: precision 3/4, recall 3/4, f1 0.75, accuracy 5/7.
        #expect(counts.precision == 0.75)
        #expect(counts.recall == 0.75)
        #expect(counts.f1 == 0.75)
        #expect(counts.accuracy == 5.0 / 7.0)
    }

    @Test func zeroDenominatorsGiveZero() {
        let noPositiveCalls = ConfusionCounts(labels: [1, 0], probabilities: [0.1, 0.2])
        #expect(noPositiveCalls.precision == 0)
        #expect(noPositiveCalls.recall == 0)
        #expect(noPositiveCalls.f1 == 0)
        #expect(noPositiveCalls.accuracy == 0.5)
        #expect(ConfusionCounts().accuracy == 0)
    }

    @Test func f1IsTheHarmonicMeanOfPrecisionAndRecall() {
        let counts = ConfusionCounts(truePositives: 7, falsePositives: 3, trueNegatives: 11, falseNegatives: 5)
        let harmonic = 2 * counts.precision * counts.recall / (counts.precision + counts.recall)
        #expect(abs(counts.f1 - harmonic) < 1e-15)
    }
}
