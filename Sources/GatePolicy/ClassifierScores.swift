#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A binary classifier's metrics on labelled samples, as scikit-learn
/// computes them: calls at `threshold` (p ≥ threshold is positive) for F1,
/// precision, recall and accuracy (0 where a denominator is 0); Brier score
/// and log loss (probabilities clipped to [1e-15, 1 − 1e-15]) on the
/// probabilities; ROC AUC from average ranks, nil when only one class is present.
package struct ClassifierScores: Sendable, Equatable, Codable {
    package var f1: Double
    package var precision: Double
    package var recall: Double
    package var accuracy: Double
    package var brier: Double
    package var rocAUC: Double?
    package var logLoss: Double

    package init(labels: [Int32], probabilities: [Double], threshold: Double = 0.5) {
        precondition(labels.count == probabilities.count, "labels and probabilities differ in length")
        let counts = ConfusionCounts(labels: labels, probabilities: probabilities, threshold: threshold)
        f1 = counts.f1
        precision = counts.precision
        recall = counts.recall
        accuracy = counts.accuracy
        let n = Double(labels.count)
        var squares = 0.0
        var losses = 0.0
        // log(a) + log(b) = log(a·b): sixteen likelihoods (each ≥ 1e-15, so the
        // product stays far above the smallest double) per logarithm.
        var product = 1.0
        var factors = 0
        for (label, p) in zip(labels, probabilities) {
            let y = Double(label)
            squares += (p - y) * (p - y)
            let clipped = min(max(p, 1e-15), 1 - 1e-15)
            product *= label == 1 ? clipped : 1 - clipped
            factors += 1
            if factors == 16 {
                losses -= log(product)
                product = 1
                factors = 0
            }
        }
        losses -= log(product)
        brier = labels.isEmpty ? 0 : squares / n
        logLoss = labels.isEmpty ? 0 : losses / n
        rocAUC = Self.rocAUC(labels: labels, probabilities: probabilities)
    }

    package init(
        f1: Double,
        precision: Double,
        recall: Double,
        accuracy: Double,
        brier: Double,
        rocAUC: Double?,
        logLoss: Double
    ) {
        self.f1 = f1
        self.precision = precision
        self.recall = recall
        self.accuracy = accuracy
        self.brier = brier
        self.rocAUC = rocAUC
        self.logLoss = logLoss
    }

    /// The Mann–Whitney form: (rank sum of the positives − P(P+1)/2) / (P·N),
    /// tied probabilities sharing their average rank.
    static func rocAUC(labels: [Int32], probabilities: [Double]) -> Double? {
        let positives = labels.lazy.filter { $0 == 1 }.count
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        // A probability in [0, 1] orders like its bit pattern; with the label
        // in the low bit, one sort of integers groups the ties.
        var keys = [UInt64](unsafeUninitializedCapacity: labels.count) { buffer, count in
            for index in labels.indices {
                buffer[index] = probabilities[index].bitPattern << 1 | UInt64(labels[index] == 1 ? 1 : 0)
            }
            count = labels.count
        }
        RadixSort.sort(&keys)
        var positiveRankSum = 0.0
        var start = 0
        while start < keys.count {
            var end = start
            var tiedPositives = keys[start] & 1
            while end + 1 < keys.count, keys[end + 1] >> 1 == keys[start] >> 1 {
                end += 1
                tiedPositives += keys[end] & 1
            }
            // Ranks start + 1 ... end + 1 share their mean.
            positiveRankSum += Double(tiedPositives) * Double(start + end + 2) / 2
            start = end + 1
        }
        let p = Double(positives)
        return (positiveRankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }
}
