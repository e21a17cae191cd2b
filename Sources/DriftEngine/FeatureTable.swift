/// A dataset by column: the values each feature took (as numbers or as
/// strings, as they arrived) and the predictions' probabilities. Rows need
/// not line up: every drift test compares one column's two samples.
public struct FeatureTable: Sendable {
    public struct Column: Sendable {
        public var name: String
        public var numbers: [Double] = []
        public var strings: [String] = []
    }

    public private(set) var rowCount = 0
    public private(set) var columns: [Column] = []
    public private(set) var probabilities: [Double] = []
    private var indexByName: [String: Int] = [:]

    public init() {}

    /// The column for `name`, created on first use; readers keep the index
    /// so that the name is hashed once per column rather than once per value.
    public mutating func columnIndex(_ name: String) -> Int {
        if let index = indexByName[name] { return index }
        columns.append(Column(name: name))
        indexByName[name] = columns.count - 1
        return columns.count - 1
    }

    public mutating func append(_ value: Double, at column: Int) {
        columns[column].numbers.append(value)
    }

    public mutating func append(_ value: String, at column: Int) {
        columns[column].strings.append(value)
    }

    /// Ends a row; its probability is nil when the row has none (reference rows may not).
    public mutating func endRow(probability: Double?) {
        rowCount += 1
        if let probability { probabilities.append(probability) }
    }

    public func column(_ name: String) -> Column? {
        indexByName[name].map { columns[$0] }
    }

    /// The feature's values as a numeric sample; strings are not numbers and are left out.
    public func numericSample(_ name: String) -> [Double] {
        column(name)?.numbers ?? []
    }

    /// The feature's values as categories: strings as they are, finite
    /// numbers written the way a person would (3, not 3.0).
    public func categoricalSample(_ name: String) -> [String] {
        guard let column = column(name) else { return [] }
        return column.strings + column.numbers.lazy.filter(\.isFinite).map(Self.category)
    }

    static func category(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 9.0e15 { return String(Int64(number)) }
        return number.description
    }
}
