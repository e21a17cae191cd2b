import DriftEngine
import Testing

/// A window read row by row in bounded memory gives what the whole table
/// gives while it fits, and a reproducible uniform sample beyond.
@Suite("Windows in bounded memory: exact under the budget, a stable sample above it")
struct WindowSampleTests {
    /// Rows like the drift spec's: numbers of three spreads, categories, a probability; `shift` moves the current side.
    private struct Rows {
        var count: Int
        var shift = 0.0

        func row(_ index: Int) -> (id: String, numbers: [(String, Double)], strings: [(String, String)], p: Double) {
            var random = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ 1
            func next() -> Double {
                random ^= random << 13
                random ^= random >> 7
                random ^= random << 17
                return Double(random >> 11) / Double(1 << 53)
            }
            let numbers = [
                ("income", 40_000 + 30_000 * next() + 5_000 * shift), ("dti", next() + shift / 10),
                ("grade", Double(Int(next() * 4))), ("score", (next() * 100).rounded()),
            ]
            let region = ["north", "south", "east", "west", "centre"][Int(next() * (shift > 0 ? 5 : 4))]
            return ("p-\(index)", numbers, [("region", region)], min(max(next() * 0.6 + shift / 5, 0), 1))
        }
    }

    private let schema = DatasetSchema(features: [
        .init(name: "income", kind: .numeric), .init(name: "dti", kind: .numeric),
        .init(name: "grade", kind: .categorical), .init(name: "score", kind: .numeric),
        .init(name: "region", kind: .categorical),
    ])

    private func table(_ rows: Rows) -> FeatureTable {
        var table = FeatureTable()
        for index in 0..<rows.count {
            let row = rows.row(index)
            for (name, value) in row.numbers { table.append(value, at: table.columnIndex(name)) }
            for (name, value) in row.strings { table.append(value, at: table.columnIndex(name)) }
            table.endRow(probability: row.p)
        }
        return table
    }

    private func streamed(_ rows: Rows, capacity: Int, seed: UInt64 = 7, order: [Int]? = nil) -> WindowSample {
        var builder = WindowSample.Builder(schema: schema, capacity: capacity)
        for index in order ?? Array(0..<rows.count) {
            let row = rows.row(index)
            builder.beginRow(key: SampleKey.key(id: row.id.utf8, seed: seed))
            for (name, value) in row.numbers { builder.append(value, at: builder.columnIndex(name)) }
            for (name, value) in row.strings { builder.append(value, at: builder.columnIndex(name)) }
            builder.endRow(probability: row.p)
        }
        return builder.build()
    }

    @Test func underTheBudgetTheResultIsTheWholeTablesToTheBit() {
        let (reference, current) = (table(Rows(count: 3_000)), Rows(count: 2_000, shift: 0.3))
        for capacity in [2_000, 1_000_000] {
            let whole = WindowDrift(reference: reference, schema: schema, current: table(current), options: .init())
            let window = streamed(current, capacity: capacity)
            let drift = WindowDrift(reference: reference, schema: schema, current: window, options: .init())
            #expect(!window.isSampled)
            #expect(drift.dataset == whole.dataset && drift.prediction == whole.prediction)
            #expect(drift.statistics == whole.statistics && drift.unknownFeatures == whole.unknownFeatures)
            #expect(drift.dataset.columns.allSatisfy { $0.currentPopulation == nil })
        }
        // And a small reference: the discrete tests (chi-square, z) on counts.
        let small = table(Rows(count: 600))
        let whole = WindowDrift(reference: small, schema: schema, current: table(current), options: .init())
        let drift = WindowDrift(
            reference: small,
            schema: schema,
            current: streamed(current, capacity: 5_000),
            options: .init()
        )
        #expect(Set(drift.dataset.columns.compactMap(\.method)).isSuperset(of: [.chiSquare, .kolmogorovSmirnov]))
        #expect(drift.dataset == whole.dataset)
    }

    @Test func aboveTheBudgetNumbersAreSampledAndSaySoCategoriesAndStatisticsStayExact() throws {
        let rows = Rows(count: 20_000, shift: 0.3)
        let whole = table(rows)
        let window = streamed(rows, capacity: 1_000)
        #expect(window.isSampled && window.rowCount == 20_000)
        let income = try #require(window.numbers(of: "income"))
        #expect(income.values.count == 1_000 && income.population == 20_000)
        #expect(window.categories(of: "region") == DiscreteTests.counts(whole.categoricalSample("region")))
        let exact = try #require(PredictionStatistics(probabilities: whole.probabilities))
        let streamedStatistics = try #require(window.statistics)
        #expect(streamedStatistics.count == exact.count && streamedStatistics.positiveRate == exact.positiveRate)
        #expect(
            abs(streamedStatistics.mean - exact.mean) < 1e-12 && abs(streamedStatistics.entropy - exact.entropy) < 1e-12
        )
        #expect(abs(streamedStatistics.standardDeviation - exact.standardDeviation) < 1e-12)

        let drift = WindowDrift(reference: table(Rows(count: 5_000)), schema: schema, current: window, options: .init())
        let incomeDrift = try #require(drift.dataset.columns.first { $0.feature == "income" })
        #expect(incomeDrift.currentCount == 1_000 && incomeDrift.currentPopulation == 20_000)
        let region = try #require(drift.dataset.columns.first { $0.feature == "region" })
        #expect(region.currentCount == 20_000 && region.currentPopulation == nil)
        #expect(drift.prediction?.currentPopulation == 20_000)
        #expect(incomeDrift.drifted, "a shift of 5,000 in income is found in a sample of 1,000")
    }

    @Test func theSampleIsTheSameWhateverOrderTheRowsCameInAndChangesWithTheSeed() throws {
        let rows = Rows(count: 10_000)
        var order = Array(0..<rows.count)
        var state: UInt64 = 42
        for index in order.indices.reversed() {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            order.swapAt(index, Int(state >> 33) % (index + 1))
        }
        let forward = try #require(streamed(rows, capacity: 500).numbers(of: "income"))
        let shuffled = try #require(streamed(rows, capacity: 500, order: order).numbers(of: "income"))
        let reseeded = try #require(streamed(rows, capacity: 500, seed: 8).numbers(of: "income"))
        #expect(forward.values.sorted() == shuffled.values.sorted())
        #expect(forward.values.sorted() != reseeded.values.sorted())
        let reference = table(Rows(count: 3_000))
        let once = WindowDrift(
            reference: reference,
            schema: schema,
            current: streamed(rows, capacity: 500),
            options: .init()
        )
        let again = WindowDrift(
            reference: reference,
            schema: schema,
            current: streamed(rows, capacity: 500, order: order),
            options: .init()
        )
        #expect(once.dataset == again.dataset)
    }

    @Test func theSampleIsUniform() {
        // 100,000 values 0..<100,000, one per row; a uniform sample of 10,000 has their spread.
        var sample = BoundedSample(capacity: 10_000)
        for index in 0..<100_000 {
            sample.add(Double(index), key: SampleKey.key(id: "row-\(index)".utf8, seed: 3))
        }
        let values = sample.values
        #expect(values.count == 10_000 && Set(values).count == 10_000)
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(abs(mean - 49_999.5) < 1_500, "the mean's standard error is about 290")
        for quarter in 1...3 {
            let below = Double(values.filter { $0 < Double(quarter) * 25_000 }.count) / 10_000
            #expect(
                abs(below - Double(quarter) / 4) < 0.02,
                "\(quarter)/4 of the sample is below \(quarter)/4 of the range"
            )
        }
    }

    @Test func theSampleKeepsTheRowsWithTheSmallestKeys() {
        var sample = BoundedSample(capacity: 100)
        let keys = (0..<5_000).map { SampleKey.key(id: "k\($0)".utf8, seed: 11) }
        for (index, key) in keys.enumerated() { sample.add(Double(index), key: key) }
        let smallest = Set(keys.enumerated().sorted { $0.element < $1.element }.prefix(100).map { Double($0.offset) })
        #expect(Set(sample.values) == smallest && sample.population == 5_000)
    }

    @Test func discreteTestsOnCountsDoNotDependOnHowTheCountsWereBuilt() {
        let categories = (0..<40).map { "c\($0)" }
        var forward: [String: Int] = [:]
        var backward: [String: Int] = [:]
        for (index, category) in categories.enumerated() { forward[category] = index * 7 % 13 + 1 }
        for (index, category) in categories.enumerated().reversed() { backward[category] = index * 7 % 13 + 1 }
        let reference = Dictionary(uniqueKeysWithValues: categories.map { ($0, 10) })
        let one = DiscreteTests.chiSquare(referenceCounts: reference, currentCounts: forward)
        let other = DiscreteTests.chiSquare(referenceCounts: reference, currentCounts: backward)
        #expect(
            one.statistic.bitPattern == other.statistic.bitPattern && one.pValue.bitPattern == other.pValue.bitPattern
        )
    }
}
