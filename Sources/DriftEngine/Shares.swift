#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reference and current samples as shares of the same bins, for the
/// Jensen–Shannon distance and PSI (shared/specs/drift.md, "Binning").
public struct Shares: Equatable, Sendable {
    public var reference: [Double]
    public var current: [Double]

    /// Numeric columns whose reference has more than 20 distinct values are
    /// cut into Sturges bins over both samples; otherwise one bin per value.
    public init(numericReference reference: [Double], current: [Double]) {
        self.init(sortedNumericReference: reference.sorted(), sortedCurrent: current.sorted())
    }

    /// The same from samples already sorted (the drift engine keeps them so).
    public init(sortedNumericReference reference: [Double], sortedCurrent current: [Double]) {
        guard SortedValues.distinctCount(reference) > 20 else {
            self = Shares(categoricalReference: reference, current: current)
            return
        }
        let total = reference.count + current.count
        var lo = min(reference.first!, current.first!)
        var hi = max(reference.last!, current.last!)
        if lo == hi {
            lo -= 0.5
            hi += 0.5
        }
        let width = (hi - lo) / (log2(Double(total)) + 1)
        let count = Int(((hi - lo) / width).rounded(.up))
        var edges = (0...count).map { lo + Double($0) * (hi - lo) / Double(count) }
        edges[count] = hi
        func shares(_ values: [Double]) -> [Double] {
            var counts = [Int](repeating: 0, count: count)
            for value in values {
                // Half-open bins [e_i, e_{i+1}), the last one closed.
                var low = 0
                var high = count
                while high - low > 1 {
                    let middle = (low + high) / 2
                    if value >= edges[middle] { low = middle } else { high = middle }
                }
                counts[low] += 1
            }
            return counts.map { Double($0) / Double(values.count) }
        }
        self = Shares(reference: shares(reference), current: shares(current))
    }

    /// One bin per distinct value of either sample, in a stable order.
    public init<Value: Hashable & Comparable>(categoricalReference reference: [Value], current: [Value]) {
        self.init(
            referenceCounts: DiscreteTests.counts(reference),
            referenceTotal: reference.count,
            currentCounts: DiscreteTests.counts(current),
            currentTotal: current.count
        )
    }

    /// The same from counts already taken.
    public init<Value: Hashable & Comparable>(
        referenceCounts: [Value: Int],
        referenceTotal: Int,
        currentCounts: [Value: Int],
        currentTotal: Int
    ) {
        let categories = Set(referenceCounts.keys).union(currentCounts.keys).sorted()
        self.reference = categories.map { Double(referenceCounts[$0, default: 0]) / Double(referenceTotal) }
        self.current = categories.map { Double(currentCounts[$0, default: 0]) / Double(currentTotal) }
    }

    private init(reference: [Double], current: [Double]) {
        self.reference = reference
        self.current = current
    }
}
