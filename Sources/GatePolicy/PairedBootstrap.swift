/// The paired bootstrap interval of the F1 gain (candidate − production).
///
/// Both F1 scores depend only on how many samples fall in each of the eight
/// (label, candidate call, production call) cells, so one resample of n
/// samples is one multinomial draw over those cells, not n draws. The
/// biggest cell goes first: its binomial is tabulated once for all resamples.
package struct PairedBootstrap: Sendable, Equatable, Codable {
    package var lower: Double
    package var upper: Double
    package var confidence: Double
    package var resamples: Int

    package init(
        labels: [Int32],
        candidate: [Double],
        production: [Double],
        threshold: Double = 0.5,
        resamples: Int = 1000,
        confidence: Double = 0.95,
        random: inout SeededRandom
    ) {
        precondition(labels.count == candidate.count && labels.count == production.count, "lengths differ")
        var cells = [Int](repeating: 0, count: 8)
        for index in labels.indices {
            let cell =
                Int(labels[index]) * 4 + (candidate[index] >= threshold ? 2 : 0)
                + (production[index] >= threshold ? 1 : 0)
            cells[cell] += 1
        }
        let n = labels.count
        // Largest first (ties by cell), and back to cell order after each draw.
        let order = cells.indices.sorted { cells[$0] > cells[$1] || (cells[$0] == cells[$1] && $0 < $1) }
        let shares = order.map { n == 0 ? 0 : Double(cells[$0]) / Double(n) }
        var gains: [Double] = []
        gains.reserveCapacity(resamples)
        let sampler = MultinomialSampler(n: n, probabilities: shares)
        var counts = [Int](repeating: 0, count: 8)
        var drawn = cells
        for _ in 0..<resamples {
            if n > 0 {
                sampler.draw(&random, into: &counts)
                for position in 0..<8 { drawn[order[position]] = counts[position] }
            }
            gains.append(Self.f1Gain(drawn))
        }
        RadixSort.sort(&gains)
        let tail = (1 - confidence) / 2
        self.lower = Self.percentile(gains, tail)
        self.upper = Self.percentile(gains, 1 - tail)
        self.confidence = confidence
        self.resamples = resamples
    }

    /// Candidate F1 − production F1 from the cell counts (index = label·4 + candidate call·2 + production call).
    static func f1Gain(_ cells: [Int]) -> Double {
        func f1(truePositives: Int, falsePositives: Int, falseNegatives: Int) -> Double {
            ConfusionCounts(
                truePositives: truePositives,
                falsePositives: falsePositives,
                falseNegatives: falseNegatives
            ).f1
        }
        let candidate = f1(
            truePositives: cells[6] + cells[7],
            falsePositives: cells[2] + cells[3],
            falseNegatives: cells[4] + cells[5]
        )
        let production = f1(
            truePositives: cells[5] + cells[7],
            falsePositives: cells[1] + cells[3],
            falseNegatives: cells[4] + cells[6]
        )
        return candidate - production
    }

    /// NumPy's default percentile: linear between the two nearest ranks.
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        return sorted[below] + (sorted[above] - sorted[below]) * (position - Double(below))
    }
}
