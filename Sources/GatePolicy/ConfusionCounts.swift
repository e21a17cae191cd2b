/// The four outcomes of a classifier's calls at a threshold, and the metrics
/// they give, defined as scikit-learn's with `zero_division=0`.
package struct ConfusionCounts: Sendable, Equatable {
    package var truePositives = 0
    package var falsePositives = 0
    package var trueNegatives = 0
    package var falseNegatives = 0

    package init(truePositives: Int = 0, falsePositives: Int = 0, trueNegatives: Int = 0, falseNegatives: Int = 0) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }

    /// Counts calls `probability >= threshold` against labels 0/1.
    package init(labels: [Int32], probabilities: [Double], threshold: Double = 0.5) {
        precondition(labels.count == probabilities.count, "labels and probabilities differ in length")
        for (label, probability) in zip(labels, probabilities) {
            switch (label == 1, probability >= threshold) {
            case (true, true): truePositives += 1
            case (false, true): falsePositives += 1
            case (false, false): trueNegatives += 1
            case (true, false): falseNegatives += 1
            }
        }
    }

    package var total: Int { truePositives + falsePositives + trueNegatives + falseNegatives }

    package var precision: Double { Self.ratio(truePositives, truePositives + falsePositives) }
    package var recall: Double { Self.ratio(truePositives, truePositives + falseNegatives) }
    package var accuracy: Double { Self.ratio(truePositives + trueNegatives, total) }
    /// 2·TP / (2·TP + FP + FN), which equals the harmonic mean of precision and recall.
    package var f1: Double { Self.ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives) }

    private static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }
}
