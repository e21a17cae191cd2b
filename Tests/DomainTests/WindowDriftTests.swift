import DriftEngine
import Testing

@Suite("A window against its reference: schema inference, odd features, the prediction column")
struct WindowDriftTests {
    private struct Row {
        var numbers: [String: Double] = [:]
        var strings: [String: String] = [:]
        var probability: Double?
    }

    private func table(_ rows: [Row]) -> FeatureTable {
        var table = FeatureTable()
        for row in rows {
            for (name, value) in row.numbers.sorted(by: { $0.key < $1.key }) {
                table.append(value, at: table.columnIndex(name))
            }
            for (name, value) in row.strings.sorted(by: { $0.key < $1.key }) {
                table.append(value, at: table.columnIndex(name))
            }
            table.endRow(probability: row.probability)
        }
        return table
    }

    @Test func aSchemaIsInferredAsTheSpecSays() {
        let rows = (0..<50).map { (index: Int) -> Row in
            let numbers: [String: Double] = [
                "grade": Double(index % 4), "income": 1000.5 * Double(index), "many": Double(index),
            ]
            return Row(numbers: numbers, strings: ["region": index % 2 == 0 ? "north" : "south"])
        }
        let schema = DatasetSchema.inferred(from: table(rows))
        let expected: [DatasetSchema.Feature] = [
            .init(name: "grade", kind: .categorical), .init(name: "income", kind: .numeric),
            .init(name: "many", kind: .numeric), .init(name: "region", kind: .categorical),
        ]
        #expect(schema.features == expected)
    }

    @Test func numbersOfACategoricalFeatureAreCategories() {
        var table = FeatureTable()
        let column = table.columnIndex("grade")
        for value in [1.0, 2.0, 2.5, .nan] { table.append(value, at: column) }
        table.append("3", at: column)
        #expect(table.categoricalSample("grade") == ["3", "1", "2", "2.5"])
        #expect(table.numericSample("grade").count == 4)
    }

    @Test func unknownAndMissingFeaturesAndTheNewCategory() {
        let letters = ["a", "b", "c"]
        let reference = table(
            (0..<200).map { (index: Int) -> Row in
                Row(
                    numbers: ["x": Double(index)],
                    strings: ["c": letters[index % 3]],
                    probability: Double(index % 10) / 10
                )
            }
        )
        let current = table(
            (0..<200).map { (index: Int) -> Row in
                let category = index % 5 == 0 ? "new" : letters[index % 3]
                return Row(numbers: ["x": Double(index), "extra": 1], strings: ["c": category], probability: 0.5)
            }
        )
        let schema = DatasetSchema(features: [
            .init(name: "x", kind: .numeric), .init(name: "c", kind: .categorical), .init(name: "gone", kind: .numeric),
        ])
        let drift = WindowDrift(reference: reference, schema: schema, current: current, options: DriftConfiguration())
        let columns = Dictionary(uniqueKeysWithValues: drift.dataset.columns.map { ($0.feature, $0) })
        #expect(columns["x"]?.drifted == false)
        #expect(columns["c"]?.statistic == .infinity && columns["c"]?.drifted == true)
        #expect(columns["gone"]?.skipped == "no finite values in the reference sample")
        #expect(drift.dataset.testedCount == 2 && drift.dataset.driftedCount == 1 && drift.dataset.datasetDrift)
        #expect(drift.unknownFeatures == ["extra"])
        // Every current probability is 0.5: the prediction column drifts, but is reported apart.
        #expect(drift.prediction?.drifted == true && drift.statistics?.mean == 0.5)
    }

    @Test func thePredictionColumnCountsWhenAsked() {
        let reference = table((0..<100).map { Row(numbers: ["x": Double($0)], probability: Double($0) / 100) })
        let current = table((0..<100).map { Row(numbers: ["x": Double($0)], probability: 0.99) })
        let schema = DatasetSchema(features: [.init(name: "x", kind: .numeric)])
        let apart = WindowDrift(reference: reference, schema: schema, current: current, options: DriftConfiguration())
        #expect(apart.dataset.testedCount == 1 && !apart.dataset.datasetDrift)
        var options = DriftConfiguration()
        options.predictionInRatio = true
        let counted = WindowDrift(reference: reference, schema: schema, current: current, options: options)
        #expect(
            counted.dataset.testedCount == 2 && counted.dataset.featureDriftRatio == 0.5 && counted.dataset.datasetDrift
        )
        #expect(counted.dataset.columns.map(\.feature) == ["x"] && counted.prediction?.drifted == true)
    }

    @Test func aReferenceWithoutProbabilitiesHasNoPredictionDrift() {
        let reference = table((0..<20).map { Row(numbers: ["x": Double($0)]) })
        let current = table((0..<20).map { Row(numbers: ["x": Double($0)], probability: 0.2) })
        let drift = WindowDrift(
            reference: reference,
            schema: DatasetSchema(features: [.init(name: "x", kind: .numeric)]),
            current: current,
            options: DriftConfiguration()
        )
        #expect(drift.prediction == nil && drift.statistics?.count == 20)
    }
}
