import Dispatch

/// A monitoring window compared with its reference: every feature of the
/// reference's schema tested, the prediction column tested apart, and the
/// window's prediction statistics.
public struct WindowDrift: Sendable {
    /// The features' columns and the dataset verdict over them (and over the
    /// prediction column too, when the options count it).
    public var dataset: DatasetDrift
    /// The probability column against the reference's, when the reference has probabilities.
    public var prediction: ColumnDrift?
    /// nil for an empty window.
    public var statistics: PredictionStatistics?
    /// Features the window has and the reference's schema does not: reported, not tested.
    public var unknownFeatures: [String]

    public static let predictionColumn = "prediction"

    public init(reference: FeatureTable, schema: DatasetSchema, current: FeatureTable, options: DriftConfiguration) {
        self.init(
            reference: reference,
            schema: schema,
            current: WindowSample(current, schema: schema),
            options: options
        )
    }

    /// A window read in bounded memory: a numeric column over its budget is
    /// tested on its sample, and says so (`currentPopulation`).
    public init(reference: FeatureTable, schema: DatasetSchema, current: WindowSample, options: DriftConfiguration) {
        let hasPrediction = !reference.probabilities.isEmpty
        let count = schema.features.count + (hasPrediction ? 1 : 0)
        // Columns are independent: tested side by side, each writing its own slot.
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<ColumnDrift?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: count) { index in
            guard index < schema.features.count else {
                results[index] = Self.numeric(
                    Self.predictionColumn,
                    reference.probabilities,
                    current.probabilities,
                    options
                )
                return
            }
            let feature = schema.features[index]
            switch feature.kind {
            case .numeric:
                results[index] = Self.numeric(
                    feature.name,
                    reference.numericSample(feature.name),
                    current.numbers(of: feature.name) ?? BoundedSample(all: []),
                    options
                )
            case .categorical:
                let counts = ColumnSamples.categoricalCounts(
                    reference: DiscreteTests.counts(reference.categoricalSample(feature.name)),
                    current: current.categories(of: feature.name)
                )
                results[index] = ColumnDrift.test(feature.name, counts, options: options)
            }
        }
        var columns = results.map { $0! }
        let prediction = hasPrediction ? columns.removeLast() : nil
        if options.predictionInRatio, let prediction {
            var counted = DatasetDrift(columns: columns + [prediction], options: options)
            self.prediction = counted.columns.removeLast()
            dataset = counted
        } else {
            self.prediction = prediction
            dataset = DatasetDrift(columns: columns, options: options)
        }
        statistics = current.statistics
        let known = Set(schema.features.map(\.name))
        unknownFeatures = current.featureNames.filter { !known.contains($0) }.sorted()
    }

    private static func numeric(
        _ name: String,
        _ reference: [Double],
        _ current: BoundedSample,
        _ options: DriftConfiguration
    ) -> ColumnDrift {
        var drift = ColumnDrift.test(name, .numeric(reference: reference, current: current.values), options: options)
        if current.isSampled { drift.currentPopulation = current.population }
        return drift
    }
}
