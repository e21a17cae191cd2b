/// Counting distinct values of sorted samples by walking them, not hashing:
/// for 200,000 doubles, a walk instead of a set.
enum SortedValues {
    static func distinctCount(_ values: [Double]) -> Int {
        guard var previous = values.first else { return 0 }
        var count = 1
        for value in values.dropFirst() where value != previous {
            count += 1
            previous = value
        }
        return count
    }

    /// Distinct values of the union of two sorted samples.
    static func distinctCount(_ a: [Double], _ b: [Double]) -> Int {
        var i = 0
        var j = 0
        var count = 0
        var previous: Double?
        while i < a.count || j < b.count {
            let value: Double
            if j >= b.count || (i < a.count && a[i] <= b[j]) {
                value = a[i]
                i += 1
            } else {
                value = b[j]
                j += 1
            }
            if value != previous {
                count += 1
                previous = value
            }
        }
        return count
    }
}
