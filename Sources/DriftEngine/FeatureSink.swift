/// Where a reader puts a dataset's values, row by row: a `FeatureTable`
/// keeps them all, a `WindowSample.Builder` keeps what a window's tests need.
public protocol FeatureSink {
    /// The column for `name`, created on first use; readers keep the index
    /// so that the name is hashed once per column rather than once per value.
    mutating func columnIndex(_ name: String) -> Int
    mutating func append(_ value: Double, at column: Int)
    mutating func append(_ value: String, at column: Int)
}

extension FeatureTable: FeatureSink {}
