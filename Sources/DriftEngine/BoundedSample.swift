/// One column's numbers in bounded memory: every value while there are at
/// most `capacity`, then the `capacity` values whose rows have the smallest
/// `SampleKey`s: a uniform sample without replacement, the same whatever
/// order the rows came in.
public struct BoundedSample: Sendable {
    public let capacity: Int
    /// Every value offered, kept or not.
    public private(set) var population = 0
    /// In arrival order while every value is kept; a max-heap on `keys` after.
    public private(set) var values: [Double] = []
    private var keys: [UInt64] = []

    public init(capacity: Int) {
        precondition(capacity > 0, "a sample holds at least one value")
        self.capacity = capacity
    }

    /// Every value of `values`, with no keys: for samples that are never over capacity.
    public init(all values: [Double]) {
        capacity = max(values.count, 1)
        population = values.count
        self.values = values
        keys = Array(repeating: 0, count: values.count)
    }

    /// True when `values` is a sample, not every value.
    public var isSampled: Bool { population > values.count }

    public mutating func add(_ value: Double, key: UInt64) {
        population += 1
        if values.count < capacity {
            values.append(value)
            keys.append(key)
            return
        }
        if population == capacity + 1 { heapify() }  // the first value with no room
        guard key < keys[0] else { return }
        keys[0] = key
        values[0] = value
        siftDown(0)
    }

    private mutating func heapify() {
        for index in stride(from: keys.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < keys.count else { return }
            let right = left + 1
            let larger = right < keys.count && keys[right] > keys[left] ? right : left
            guard keys[larger] > keys[parent] else { return }
            keys.swapAt(parent, larger)
            values.swapAt(parent, larger)
            parent = larger
        }
    }
}
