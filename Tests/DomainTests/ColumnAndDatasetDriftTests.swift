import DriftEngine
import Testing

@Suite("Test selection, thresholds, skipped columns and the dataset verdict")
struct ColumnAndDatasetDriftTests {
    private func close(_ actual: Double?, _ expected: Double) -> Bool {
        guard let actual else { return false }
        return abs(actual - expected) <= 1e-12 * abs(expected)
    }

    private func repeated<T>(_ pairs: [(T, Int)]) -> [T] {
        pairs.flatMap { Array(repeating: $0.0, count: $0.1) }
    }

    @Test func r14NonFiniteValuesAreDropped() {
        let clean = ColumnDrift.test(
            "f",
            .numeric(reference: (0..<100).map(Double.init), current: (10..<110).map(Double.init))
        )
        let dirty = ColumnDrift.test(
            "f",
            .numeric(
                reference: (0..<100).map(Double.init) + [.nan, .infinity],
                current: (10..<110).map(Double.init) + [.nan, -.infinity, .nan]
            )
        )
        #expect(dirty == clean)
        #expect(clean.method == .kolmogorovSmirnov && close(clean.pValue, 0.7020569828664881) && !clean.drifted)
    }

    @Test func r15FourColumnsMakeADatasetDrift() {
        let f1 = ColumnDrift.test(
            "f1",
            .numeric(reference: (0..<100).map(Double.init), current: (30..<130).map(Double.init))
        )
        let f2 = ColumnDrift.test(
            "f2",
            .numeric(reference: (0..<100).map(Double.init), current: (0..<100).reversed().map(Double.init))
        )
        let categories = repeated([("a", 50), ("b", 30), ("c", 20)])
        let f3 = ColumnDrift.test("f3", .categorical(reference: categories, current: categories))
        let f4 = ColumnDrift.test(
            "f4",
            .numeric(reference: repeated([(1.0, 30), (0.0, 70)]), current: repeated([(1.0, 45), (0.0, 55)]))
        )
        #expect(f1.method == .kolmogorovSmirnov && close(f1.pValue, 0.0002248739317492479) && f1.drifted)
        #expect(f2.method == .kolmogorovSmirnov && f2.pValue == 1 && !f2.drifted)
        #expect(f3.method == .chiSquare && f3.pValue == 1 && !f3.drifted)
        #expect(f4.method == .zTest && close(f4.pValue, 0.02845973691631065) && f4.drifted)
        let dataset = DatasetDrift(columns: [f1, f2, f3, f4])
        #expect(dataset.featureDriftRatio == 0.5)
        #expect(dataset.datasetDrift)
    }

    @Test func theTestIsChosenBySizeAndDistinctValues() {
        func method(_ reference: [Double], _ current: [Double]) -> StatTest? {
            ColumnDrift.test("x", .numeric(reference: reference, current: current)).method
        }
        let small = (0..<1000).map { Double($0 % 50) }
        let large = (0..<1001).map { Double($0 % 50) }
        #expect(method(small, small) == .kolmogorovSmirnov)
        #expect(method(large, large) == .wasserstein)
        #expect(method(small.map { Double(Int($0) % 4) }, [0, 1]) == .chiSquare)
        #expect(method(large.map { Double(Int($0) % 4) }, [0, 1]) == .jensenShannon)
        #expect(method(small.map { Double(Int($0) % 2) }, [0, 1]) == .zTest)
        #expect(method(large.map { Double(Int($0) % 2) }, [0, 1]) == .jensenShannon)
        func categorical(_ count: Int, _ distinct: Int) -> StatTest? {
            let values = (0..<count).map { "c\($0 % distinct)" }
            return ColumnDrift.test("c", .categorical(reference: values, current: values)).method
        }
        #expect(categorical(1000, 3) == .chiSquare)
        #expect(categorical(1000, 2) == .zTest)
        #expect(categorical(1001, 2) == .jensenShannon)
    }

    @Test func thresholdsAndMethodsByFeatureThenKindThenGlobally() {
        var options = DriftConfiguration()
        options.threshold = 0.9
        options.kindThresholds[.numeric] = 0.8
        options.featureThresholds["special"] = 0.5
        options.kindMethods[.categorical] = .psi
        let reference = (0..<100).map(Double.init)
        let current = (10..<110).map(Double.init)  // KS p = 0.702
        let plain = ColumnDrift.test("plain", .numeric(reference: reference, current: current), options: options)
        #expect(plain.threshold == 0.8 && plain.drifted)
        let special = ColumnDrift.test("special", .numeric(reference: reference, current: current), options: options)
        #expect(special.threshold == 0.5 && !special.drifted)
        let category = ColumnDrift.test(
            "cat",
            .categorical(
                reference: repeated([("a", 600), ("b", 400)]),
                current: repeated([("a", 500), ("b", 300), ("c", 200)])
            ),
            options: options
        )
        #expect(category.method == .psi && category.threshold == 0.9)
        #expect(close(category.score, 1.566420764587036))
    }

    @Test func aColumnWithoutFiniteValuesIsSkippedNotFatal() {
        let empty = ColumnDrift.test("gone", .numeric(reference: [.nan, .nan], current: [1, 2]))
        #expect(empty.skipped == "no finite values in the reference sample")
        let fine = ColumnDrift.test(
            "fine",
            .numeric(reference: (0..<100).map(Double.init), current: (30..<130).map(Double.init))
        )
        let dataset = DatasetDrift(columns: [empty, fine])
        #expect(dataset.testedCount == 1 && dataset.featureDriftRatio == 1 && dataset.datasetDrift)
        let nothing = DatasetDrift(columns: [empty])
        #expect(!nothing.datasetDrift && nothing.featureDriftRatio == 0 && nothing.reason != nil)
    }

    @Test func multipleTestingCorrections() {
        func column(_ name: String, p: Double) -> ColumnDrift {
            var column = ColumnDrift.test(
                name,
                .numeric(reference: (0..<100).map(Double.init), current: (0..<100).map(Double.init))
            )
            column.pValue = p
            column.score = p
            column.drifted = StatTest.kolmogorovSmirnov.drifted(p, threshold: column.threshold)
            return column
        }
        let columns = [column("a", p: 0.01), column("b", p: 0.02), column("c", p: 0.03), column("d", p: 0.5)]
        #expect(DatasetDrift(columns: columns).driftedCount == 3)
        var bonferroni = DriftConfiguration()
        bonferroni.correction = .bonferroni
        let strict = DatasetDrift(columns: columns, options: bonferroni)
        #expect(strict.columns.map(\.pValue) == [0.04, 0.08, 0.12, 1])
        #expect(strict.driftedCount == 1)
        var bh = DriftConfiguration()
        bh.correction = .benjaminiHochberg
        let discovery = DatasetDrift(columns: columns, options: bh)
        // 0.01·4/1 = 0.04, 0.02·4/2 = 0.04, 0.03·4/3 = 0.04, 0.5·4/4 = 0.5
        #expect(discovery.columns.map { ($0.pValue! * 1e12).rounded() / 1e12 } == [0.04, 0.04, 0.04, 0.5])
        #expect(discovery.driftedCount == 3)
    }
}
