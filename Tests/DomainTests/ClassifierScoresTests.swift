import Foundation
import GatePolicy
import Testing

/// scikit-learn's values on the same data (Tests/DomainTests/Vectors, made by
/// scripts/sklearn-metric-vectors.py).
private struct Vectors: Decodable {
    struct Case: Decodable, CustomTestStringConvertible {
        struct Expected: Decodable {
            var f1, precision, recall, accuracy, brier: Double
            var roc_auc: Double?
            var log_loss: Double
        }
        var name: String
        var labels: [Int32]
        var probabilities: [Double]
        var expected: Expected
        var testDescription: String { name }
    }
    var cases: [Case]

    static let all: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Vectors/classifier-metrics.json")
        return (try? JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url)).cases) ?? []
    }()
}

@Suite("Classifier metrics equal scikit-learn's")
struct ClassifierScoresTests {
    private func close(_ actual: Double, _ expected: Double) -> Bool {
        abs(actual - expected) <= 1e-12 * max(1, abs(expected))
    }

    @Test func theVectorsAreThere() {
        #expect(Vectors.all.count == 15)
    }

    @Test(arguments: Vectors.all)
    fileprivate func matchesScikitLearn(_ example: Vectors.Case) {
        let metrics = ClassifierScores(labels: example.labels, probabilities: example.probabilities)
        let expected = example.expected
        #expect(close(metrics.f1, expected.f1))
        #expect(close(metrics.precision, expected.precision))
        #expect(close(metrics.recall, expected.recall))
        #expect(close(metrics.accuracy, expected.accuracy))
        #expect(close(metrics.brier, expected.brier))
        #expect(close(metrics.logLoss, expected.log_loss))
        if let auc = expected.roc_auc {
            #expect(metrics.rocAUC.map { close($0, auc) } == true)
        } else {
            #expect(metrics.rocAUC == nil)
        }
    }
}

@Suite("The paired bootstrap of the F1 gain")
struct PairedBootstrapTests {
    private func samples(_ n: Int, seed: UInt64) -> LabelledSamples {
        var random = SeededRandom(seed: seed)
        var labels: [Int32] = []
        var candidate: [Double] = []
        var production: [Double] = []
        for _ in 0..<n {
            let label: Int32 = random.uniform() < 0.4 ? 1 : 0
            labels.append(label)
            candidate.append(min(1, max(0, 0.3 + 0.35 * Double(label) + 0.3 * (random.uniform() - 0.5))))
            production.append(min(1, max(0, 0.3 + 0.25 * Double(label) + 0.4 * (random.uniform() - 0.5))))
        }
        return LabelledSamples(labels: labels, candidate: candidate, production: production)
    }

    private func interval(_ samples: LabelledSamples, key: String, resamples: Int = 1000) -> PairedBootstrap {
        var random = SeededRandom(key: key)
        return PairedBootstrap(
            labels: samples.labels,
            candidate: samples.candidate,
            production: samples.production,
            resamples: resamples,
            random: &random
        )
    }

    @Test func theSameKeyGivesTheSameInterval() {
        let data = samples(2000, seed: 1)
        #expect(interval(data, key: "run-42") == interval(data, key: "run-42"))
        #expect(interval(data, key: "run-42") != interval(data, key: "run-43"))
    }

    @Test func theIntervalSurroundsTheObservedGainAndNarrowsWithMoreSamples() {
        for n in [300, 3000] {
            let data = samples(n, seed: 7)
            let gain =
                ClassifierScores(labels: data.labels, probabilities: data.candidate).f1
                - ClassifierScores(labels: data.labels, probabilities: data.production).f1
            let found = interval(data, key: "k")
            #expect(found.lower < gain && gain < found.upper)
            #expect(found.resamples == 1000 && found.confidence == 0.95)
        }
        let wide = interval(samples(300, seed: 7), key: "k")
        let narrow = interval(samples(3000, seed: 7), key: "k")
        #expect(narrow.upper - narrow.lower < wide.upper - wide.lower)
    }

    @Test func identicalVersionsHaveAZeroInterval() {
        let data = samples(500, seed: 3)
        let same = LabelledSamples(labels: data.labels, candidate: data.candidate, production: data.candidate)
        let found = interval(same, key: "same")
        #expect(found.lower == 0 && found.upper == 0)
    }

    @Test(arguments: [(20, 0.3), (1000, 0.02), (1000, 0.3), (5000, 0.5), (200, 0.9)])
    func binomialDrawsHaveTheRightMeanAndVariance(_ n: Int, _ p: Double) {
        var random = SeededRandom(seed: 99)
        let draws = (0..<20_000).map { _ in Double(random.binomial(n, p)) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count - 1)
        let expectedVariance = Double(n) * p * (1 - p)
        // Five standard errors of the mean; the variance within 5 %.
        #expect(abs(mean - Double(n) * p) < 5 * (expectedVariance / Double(draws.count)).squareRoot())
        #expect(abs(variance / expectedVariance - 1) < 0.05)
        #expect(draws.allSatisfy { $0 >= 0 && $0 <= Double(n) })
    }

    @Test func theTabulatedSamplerDrawsTheSameDistribution() {
        let shares = [0.45, 0.2, 0.15, 0.1, 0.05, 0.03, 0.02, 0.0]
        let sampler = MultinomialSampler(n: 2000, probabilities: shares)
        var random = SeededRandom(seed: 8)
        let draws = (0..<20_000).map { _ in sampler.draw(&random) }
        #expect(draws.allSatisfy { $0.reduce(0, +) == 2000 && $0[7] == 0 })
        for cell in 0..<7 {
            let values = draws.map { Double($0[cell]) }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
            let expectedVariance = 2000 * shares[cell] * (1 - shares[cell])
            #expect(abs(mean - 2000 * shares[cell]) < 5 * (expectedVariance / Double(values.count)).squareRoot())
            #expect(abs(variance / expectedVariance - 1) < 0.05)
        }
    }

    @Test func multinomialDrawsKeepTheTotal() {
        var random = SeededRandom(seed: 5)
        let shares = [0.1, 0.0, 0.25, 0.05, 0.3, 0.1, 0.2, 0.0]
        for _ in 0..<1000 {
            let counts = random.multinomial(2000, shares)
            #expect(counts.reduce(0, +) == 2000)
            #expect(counts[1] == 0 && counts[7] == 0)
        }
    }
}
