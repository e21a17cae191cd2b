/// Least-significant-digit radix sort of 64-bit keys, a byte per pass, for
/// the few thousand keys of an evaluation: no comparisons, no closures, and
/// passes over bytes that every key shares are skipped.
enum RadixSort {
    static func sort(_ keys: inout [UInt64]) {
        guard keys.count > 64 else {
            keys.sort()
            return
        }
        var scratch = [UInt64](repeating: 0, count: keys.count)
        let varying = keys.reduce(0) { $0 | ($1 ^ keys[0]) }
        var counts = [Int](repeating: 0, count: 256)
        for shift in stride(from: UInt64(0), to: 64, by: 8) where (varying >> shift) & 0xFF != 0 {
            for index in counts.indices { counts[index] = 0 }
            for key in keys { counts[Int((key >> shift) & 0xFF)] += 1 }
            var total = 0
            for index in counts.indices {
                let count = counts[index]
                counts[index] = total
                total += count
            }
            for key in keys {
                let digit = Int((key >> shift) & 0xFF)
                scratch[counts[digit]] = key
                counts[digit] += 1
            }
            swap(&keys, &scratch)
        }
    }
}
