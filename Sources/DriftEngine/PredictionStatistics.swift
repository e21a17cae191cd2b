#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a binary classifier's positive-class probabilities say about a window
/// (shared/specs/drift.md, "Prediction statistics").
public struct PredictionStatistics: Sendable, Equatable, Codable {
    public var count: Int
    /// Share of probabilities at or above 0.5.
    public var positiveRate: Double
    public var mean: Double
    /// Sample standard deviation (n − 1); 0 for a single prediction.
    public var standardDeviation: Double
    /// Mean binary entropy in bits, with 0 · log 0 = 0.
    public var entropy: Double

    public init(count: Int, positiveRate: Double, mean: Double, standardDeviation: Double, entropy: Double) {
        self.count = count
        self.positiveRate = positiveRate
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.entropy = entropy
    }

    /// nil for no probabilities: an empty window has no statistics.
    public init?(probabilities: some Collection<Double>) {
        guard !probabilities.isEmpty else { return nil }
        let n = Double(probabilities.count)
        var positives = 0
        var sum = 0.0
        var entropySum = 0.0
        for p in probabilities {
            if p >= 0.5 { positives += 1 }
            sum += p
            entropySum += Self.binaryEntropy(p)
        }
        let mean = sum / n
        var squares = 0.0
        for p in probabilities { squares += (p - mean) * (p - mean) }
        count = probabilities.count
        positiveRate = Double(positives) / n
        self.mean = mean
        standardDeviation = probabilities.count > 1 ? (squares / (n - 1)).squareRoot() : 0
        entropy = entropySum / n
    }

    static func binaryEntropy(_ p: Double) -> Double {
        func term(_ x: Double) -> Double { x > 0 ? -x * log2(x) : 0 }
        return term(p) + term(1 - p)
    }
}
