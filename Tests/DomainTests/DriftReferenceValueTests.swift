import DriftEngine
import Foundation
import Testing

/// shared/specs/drift.md's reference values (relative tolerance 1e-12).
@Suite("Chi-square, Z, Wasserstein, Jensen–Shannon and PSI match the spec's reference values")
struct DriftReferenceValueTests {
    private func close(_ actual: Double, _ expected: Double, _ tolerance: Double = 1e-12) -> Bool {
        expected == 0 ? abs(actual) < 1e-300 : abs(actual - expected) <= tolerance * abs(expected)
    }

    private func repeated<T>(_ pairs: [(T, Int)]) -> [T] {
        pairs.flatMap { Array(repeating: $0.0, count: $0.1) }
    }

    @Test func upperIncompleteGammaAgainstSciPy() {
        // scipy.special.gammaincc (SciPy, on this kind of machine), both branches
        #expect(close(SpecialFunctions.regularizedUpperGamma(1, 14), 8.31528719103568e-07))
        #expect(close(SpecialFunctions.regularizedUpperGamma(0.5, 0.1), 0.6547208460185768))
        #expect(close(SpecialFunctions.regularizedUpperGamma(3, 2), 0.6766764161830634))
        #expect(close(SpecialFunctions.regularizedUpperGamma(10, 30), 7.121750862815593e-06))
        #expect(close(SpecialFunctions.regularizedUpperGamma(2.5, 7.25), 0.012726685122400083))
        #expect(SpecialFunctions.regularizedUpperGamma(2, 0) == 1)
    }

    @Test func r4ChiSquare() {
        let outcome = DiscreteTests.chiSquare(
            reference: repeated([("a", 50), ("b", 30), ("c", 20)]),
            current: repeated([("a", 30), ("b", 30), ("c", 40)])
        )
        #expect(close(outcome.statistic, 28.0))
        #expect(close(outcome.pValue, 8.31528719103568e-07))
    }

    @Test func r5ChiSquareNewCategory() {
        let outcome = DiscreteTests.chiSquare(
            reference: repeated([("a", 60), ("b", 40)]),
            current: repeated([("a", 100), ("b", 60), ("c", 40)])
        )
        #expect(outcome.statistic == .infinity)
        #expect(outcome.pValue == 0)
    }

    @Test func r7ChiSquareOnThreeNumericValues() {
        let outcome = DiscreteTests.chiSquare(
            reference: repeated([(1.0, 40), (2.0, 40), (3.0, 20)]),
            current: repeated([(1.0, 30), (2.0, 40), (3.0, 30)])
        )
        #expect(close(outcome.statistic, 7.5))
        #expect(close(outcome.pValue, 0.023517745856009114))
    }

    @Test func r6ZTest() {
        let outcome = DiscreteTests.zTest(
            reference: repeated([(1, 30), (0, 70)]),
            current: repeated([(1, 45), (0, 55)])
        )
        #expect(close(outcome.statistic, -2.1908902300206647))
        #expect(close(outcome.pValue, 0.02845973691631065))
        let constants = DiscreteTests.zTest(reference: repeated([("a", 50)]), current: repeated([("b", 40)]))
        #expect(constants.pValue == 0)
        #expect(DiscreteTests.zTest(reference: ["a", "a"], current: ["a"]).pValue == 1)
    }

    @Test func r8Wasserstein() {
        let reference = (0..<2000).map(Double.init)
        let shifted = DistanceTests.wassersteinNormed(
            sortedReference: reference,
            sortedCurrent: (100..<2100).map(Double.init)
        )
        #expect(close(shifted.distance, 100))
        #expect(close(shifted.score, 0.17320510240752737))
        let half = DistanceTests.wassersteinNormed(
            sortedReference: reference,
            sortedCurrent: (50..<2050).map(Double.init)
        )
        #expect(close(half.score, 0.08660255120376371))
    }

    @Test func r9JensenShannonCategorical() {
        let shares = Shares(
            categoricalReference: repeated([("a", 1000), ("b", 700), ("c", 300)]),
            current: repeated([("a", 800), ("b", 700), ("c", 500)])
        )
        #expect(close(DistanceTests.jensenShannon(shares.reference, shares.current), 0.09539554635082563))
    }

    @Test func r10AndR11SturgesBins() {
        let shares = Shares(
            numericReference: (0..<2000).map(Double.init),
            current: (500..<2500).map(Double.init)
        )
        #expect(shares.reference.count == 13)
        #expect(close(DistanceTests.jensenShannon(shares.reference, shares.current), 0.3822649760868613))
        #expect(close(DistanceTests.psi(reference: shares.reference, current: shares.current), 2.7470984461679664))
    }

    @Test func r12PSICategorical() {
        let shares = Shares(
            categoricalReference: repeated([("a", 600), ("b", 400)]),
            current: repeated([("a", 500), ("b", 300), ("c", 200)])
        )
        #expect(close(DistanceTests.psi(reference: shares.reference, current: shares.current), 1.566420764587036))
    }

    @Test func r13JensenShannonFiveNumericValues() {
        let shares = Shares(
            numericReference: repeated([(0.0, 700), (1.0, 500), (2.0, 300), (3.0, 300), (4.0, 200)]),
            current: repeated([(0.0, 500), (1.0, 500), (2.0, 400), (3.0, 300), (4.0, 300)])
        )
        #expect(close(DistanceTests.jensenShannon(shares.reference, shares.current), 0.09216806301409336))
    }
}
