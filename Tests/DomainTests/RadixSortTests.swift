import Foundation
import Testing

@testable import GatePolicy

@Suite("Radix sort orders like sort()")
struct RadixSortTests {
    @Test(arguments: [10, 65, 1000, 4096])
    func integersAndDoubles(_ count: Int) {
        var random = SeededRandom(seed: UInt64(count))
        var keys = (0..<count).map { _ in random.next() >> (random.next() % 64) }
        let expected = keys.sorted()
        RadixSort.sort(&keys)
        #expect(keys == expected)

        var values = (0..<count).map { _ in (random.uniform() - 0.5) * pow(10, Double(random.next() % 12) - 6) }
        values += [0, 1, -1, .infinity, -.infinity, .leastNonzeroMagnitude, -.greatestFiniteMagnitude]
        let sortedValues = values.sorted()
        RadixSort.sort(&values)
        #expect(values == sortedValues)
    }
}
