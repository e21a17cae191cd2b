/// Prediction statistics over every row of a window, taken one probability
/// at a time. While the window has at most `exactLimit` rows they are kept
/// and the statistics are `PredictionStatistics(probabilities:)`'s, to the
/// bit; beyond, the standard deviation comes from Welford's running sums.
public struct StreamingPredictionStatistics: Sendable {
    public let exactLimit: Int
    private var kept: [Double]? = []
    private var count = 0
    private var positives = 0
    private var sum = 0.0
    private var entropySum = 0.0
    private var runningMean = 0.0
    private var squaredDeviations = 0.0

    public init(exactLimit: Int) {
        self.exactLimit = exactLimit
    }

    public mutating func add(_ probability: Double) {
        count += 1
        if probability >= 0.5 { positives += 1 }
        sum += probability
        entropySum += PredictionStatistics.binaryEntropy(probability)
        let delta = probability - runningMean
        runningMean += delta / Double(count)
        squaredDeviations += delta * (probability - runningMean)
        if kept != nil {
            if count <= exactLimit { kept!.append(probability) } else { kept = nil }
        }
    }

    /// nil for no probabilities, as for an empty window.
    public var statistics: PredictionStatistics? {
        guard count > 0 else { return nil }
        if let kept { return PredictionStatistics(probabilities: kept) }
        let n = Double(count)
        return PredictionStatistics(
            count: count,
            positiveRate: Double(positives) / n,
            mean: sum / n,
            standardDeviation: (squaredDeviations / (n - 1)).squareRoot(),
            entropy: entropySum / n
        )
    }
}
