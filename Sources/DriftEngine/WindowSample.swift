/// A window's predictions as its drift tests need them, read row by row in
/// bounded memory: for each feature of the reference's schema, its numbers
/// as a `BoundedSample` or its categories counted exactly; the prediction
/// statistics over every row, and a bounded sample of the probabilities for
/// the prediction column's test; the names of features outside the schema.
public struct WindowSample: Sendable {
    public private(set) var rowCount = 0
    /// Every feature the window's rows had, in the order first seen.
    public private(set) var featureNames: [String] = []
    public private(set) var statistics: PredictionStatistics?
    public private(set) var probabilities: BoundedSample
    private var numbersByFeature: [String: BoundedSample] = [:]
    private var categoriesByFeature: [String: [String: Int]] = [:]

    /// A numeric feature's values (or a sample of them); nil when no row had it or it is not numeric.
    public func numbers(of feature: String) -> BoundedSample? { numbersByFeature[feature] }

    /// A categorical feature's categories, each with how many rows had it.
    public func categories(of feature: String) -> [String: Int] { categoriesByFeature[feature] ?? [:] }

    /// True when some column holds a sample rather than every value.
    public var isSampled: Bool { probabilities.isSampled || numbersByFeature.values.contains(where: \.isSampled) }

    /// A table already in memory, every value kept.
    public init(_ table: FeatureTable, schema: DatasetSchema?) {
        rowCount = table.rowCount
        featureNames = table.columns.map(\.name)
        statistics = PredictionStatistics(probabilities: table.probabilities)
        probabilities = BoundedSample(all: table.probabilities)
        for feature in schema?.features ?? [] where table.column(feature.name) != nil {
            switch feature.kind {
            case .numeric: numbersByFeature[feature.name] = BoundedSample(all: table.numericSample(feature.name))
            case .categorical:
                categoriesByFeature[feature.name] = DiscreteTests.counts(table.categoricalSample(feature.name))
            }
        }
    }

    fileprivate init(probabilities: BoundedSample) {
        self.probabilities = probabilities
    }
}

extension WindowSample {
    /// Takes a window's rows one at a time: `beginRow(key:)`, the row's
    /// values through `FeatureSink`, `endRow(probability:)`; then `build()`.
    public struct Builder: FeatureSink {
        private enum Slot {
            case numeric(Int)
            case categorical(Int)
            case untested
        }

        private let kinds: [String: ColumnKind]
        private let capacity: Int
        private var names: [String] = []
        private var slots: [Slot] = []
        private var indexByName: [String: Int] = [:]
        private var samples: [BoundedSample] = []
        private var counts: [[String: Int]] = []
        private var probabilities: BoundedSample
        private var statistics: StreamingPredictionStatistics
        private var rowCount = 0
        private var key: UInt64 = 0

        /// `capacity`: the most values kept per numeric feature (and of the
        /// probabilities), and the most rows whose statistics are computed
        /// from kept values rather than running sums.
        public init(schema: DatasetSchema?, capacity: Int) {
            kinds = Dictionary(
                (schema?.features ?? []).map { ($0.name, $0.kind) },
                uniquingKeysWith: { first, _ in first }
            )
            self.capacity = capacity
            probabilities = BoundedSample(capacity: capacity)
            statistics = StreamingPredictionStatistics(exactLimit: capacity)
        }

        /// Starts a row; `key` is its `SampleKey`.
        public mutating func beginRow(key: UInt64) {
            self.key = key
        }

        public mutating func columnIndex(_ name: String) -> Int {
            if let index = indexByName[name] { return index }
            switch kinds[name] {
            case .numeric:
                slots.append(.numeric(samples.count))
                samples.append(BoundedSample(capacity: capacity))
            case .categorical:
                slots.append(.categorical(counts.count))
                counts.append([:])
            case nil:
                slots.append(.untested)
            }
            names.append(name)
            indexByName[name] = names.count - 1
            return names.count - 1
        }

        public mutating func append(_ value: Double, at column: Int) {
            switch slots[column] {
            case .numeric(let slot): samples[slot].add(value, key: key)
            case .categorical(let slot) where value.isFinite:
                counts[slot][FeatureTable.category(value), default: 0] += 1
            case .categorical, .untested: break
            }
        }

        /// Strings are categories; in a numeric feature they are not numbers and are left out.
        public mutating func append(_ value: String, at column: Int) {
            if case .categorical(let slot) = slots[column] { counts[slot][value, default: 0] += 1 }
        }

        public mutating func endRow(probability: Double?) {
            rowCount += 1
            if let probability {
                probabilities.add(probability, key: key)
                statistics.add(probability)
            }
        }

        public func build() -> WindowSample {
            var window = WindowSample(probabilities: probabilities)
            window.rowCount = rowCount
            window.featureNames = names
            window.statistics = statistics.statistics
            for (name, slot) in zip(names, slots) {
                switch slot {
                case .numeric(let index): window.numbersByFeature[name] = samples[index]
                case .categorical(let index): window.categoriesByFeature[name] = counts[index]
                case .untested: break
                }
            }
            return window
        }
    }
}
