import DriftEngine
import Testing

/// Reference values from shared/specs/drift.md, to 1e-12 relative.
@Suite("Prediction statistics match the spec's reference values")
struct PredictionStatisticsTests {
    @Test func eightProbabilities() throws {
        let statistics = try #require(PredictionStatistics(probabilities: [0, 0.05, 0.2, 0.5, 0.7, 0.95, 0.99, 1]))
        #expect(statistics.count == 8)
        #expect(close(statistics.positiveRate, 0.625))
        #expect(close(statistics.mean, 0.54875))
        #expect(close(statistics.standardDeviation, 0.42360485293321587))
        #expect(close(statistics.entropy, 0.4071007555307349))
    }

    @Test func hundredAndOneSteps() throws {
        let statistics = try #require(PredictionStatistics(probabilities: (0...100).map { Double($0) / 100 }))
        #expect(close(statistics.positiveRate, 0.504950495049505))
        #expect(close(statistics.mean, 0.49999999999999994))
        #expect(close(statistics.standardDeviation, 0.2930017064796722))
        #expect(close(statistics.entropy, 0.7140247664334932))
    }

    @Test func emptyWindowHasNoStatistics() {
        #expect(PredictionStatistics(probabilities: [Double]()) == nil)
    }

    @Test func onePredictionHasNoSpread() throws {
        let statistics = try #require(PredictionStatistics(probabilities: [0.3]))
        #expect(statistics.standardDeviation == 0)
        #expect(statistics.positiveRate == 0)
    }
}

func close(_ actual: Double, _ expected: Double, relative tolerance: Double = 1e-12) -> Bool {
    if actual == expected { return true }
    return abs(actual - expected) <= tolerance * max(abs(actual), abs(expected))
}
