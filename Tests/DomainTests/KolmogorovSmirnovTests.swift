import DriftEngine
import Testing

/// The KS test and the Kolmogorov distribution against SciPy 1.17 (relative 1e-12).
@Suite("Kolmogorov–Smirnov p-values as SciPy's ks_2samp and kstwo")
struct KolmogorovSmirnovTests {
    private func close(_ actual: Double, _ expected: Double, _ tolerance: Double = 1e-12) -> Bool {
        abs(actual - expected) <= tolerance * abs(expected)
    }

    @Test func r1ExactEqualSizes() {
        let outcome = KolmogorovSmirnovTest.test(
            sortedReference: (0..<100).map(Double.init),
            sortedCurrent: (10..<110).map(Double.init)
        )
        #expect(outcome.exact)
        #expect(close(outcome.statistic, 0.1))
        #expect(close(outcome.pValue, 0.7020569828664881))
    }

    @Test func r2ExactUnequalSizes() {
        let outcome = KolmogorovSmirnovTest.test(
            sortedReference: (0..<200).map(Double.init),
            sortedCurrent: (0..<150).map { 15 + 1.2 * Double($0) }
        )
        #expect(outcome.exact)
        #expect(close(outcome.statistic, 0.07833333333333334))
        #expect(close(outcome.pValue, 0.6438286115140517))
    }

    @Test func r3AsymptoticPelzGood() {
        let outcome = KolmogorovSmirnovTest.test(
            sortedReference: (0..<1000).map(Double.init),
            sortedCurrent: (0..<12000).map { Double($0) / 12 + 40 }
        )
        #expect(!outcome.exact)
        #expect(close(outcome.statistic, 0.04091666666666671))
        #expect(close(outcome.pValue, 0.08846418736783346))
    }

    @Test func r3bAsymptoticSmirnovBranch() {
        let outcome = KolmogorovSmirnovTest.test(
            sortedReference: (0..<1000).map(Double.init),
            sortedCurrent: (0..<12000).map { Double($0) / 12 + 100 }
        )
        #expect(close(outcome.statistic, 0.10091666666666677))
        #expect(close(outcome.pValue, 1.2313720745974242e-08))
    }

    @Test func moreExactCases() {
        let nearlySame = KolmogorovSmirnovTest.test(
            sortedReference: (0..<300).map(Double.init),
            sortedCurrent: (0..<301).map { Double($0) * 0.97 + 3 }
        )
        #expect(close(nearlySame.pValue, 0.9999999995874299))
        let small = KolmogorovSmirnovTest.test(
            sortedReference: (0..<7).map(Double.init),
            sortedCurrent: (0..<13).map { Double($0) * 0.5 }
        )
        #expect(small.pValue == 1)
    }

    /// kstwo.sf(x, n) over every branch: Durbin's matrix, Pelz–Good, 2·smirnov,
    /// the Ruben–Gambino ends, and n ≤ 140.
    @Test(
        arguments: [
            (923, 0.04091666666666671, 0.08846418736783346), (923, 0.10091666666666677, 1.2313720745974242e-08),
            (1000, 0.01, 0.9999496745370611), (1000, 0.012, 0.9984464668620097), (500, 0.03, 0.7473166700457021),
            (200, 0.05, 0.6802625495871704), (5000, 0.015, 0.20846142096186204), (141, 0.06, 0.6677160791348915),
            (100, 0.05, 0.9532159710635725), (100, 0.15, 0.019839242125643017), (100, 0.3, 1.7719869892662917e-08),
            (50, 0.6, 9.634070456142374e-18), (20, 0.04, 0.9999999999991517), (300, 0.2, 5.4021531300969695e-11),
            (2000, 0.002, 1.0), (923, 0.0005, 1.0),
        ]
    )
    func kolmogorovSurvival(n: Int, x: Double, expected: Double) {
        let actual = KolmogorovDistribution.survival(x, n: n)
        #expect(close(actual, expected), "kstwo.sf(\(x), \(n)) = \(actual), SciPy \(expected)")
    }

    @Test(
        arguments: [
            (923, 0.1009, 6.195444290566802e-09), (100, 0.2, 0.0002775963664037337), (10, 0.5, 0.003888705),
            (2000, 0.05, 4.371547897947515e-05), (1, 0.3, 0.7), (5, 0.9, 9.999999999999989e-06),
        ]
    )
    func smirnov(n: Int, x: Double, expected: Double) {
        let actual = KolmogorovDistribution.smirnov(n: n, x)
        #expect(close(actual, expected), "smirnov(\(n), \(x)) = \(actual), SciPy \(expected)")
    }
}
