/// Least-significant-digit radix sort of 64-bit keys, a byte per pass, for
/// the few thousand keys of an evaluation: no comparisons and no closures;
/// passes over bytes that every key shares are skipped.
enum RadixSort {
    /// Doubles in ascending order (no NaN): their bits, made to order like the numbers, sorted.
    static func sort(_ values: inout [Double]) {
        guard values.count > 64 else {
            values.sort()
            return
        }
        let signBit: UInt64 = 1 << 63
        var keys = values.map { value -> UInt64 in
            let bits = value.bitPattern
            return bits & signBit == 0 ? bits | signBit : ~bits
        }
        sort(&keys)
        for index in keys.indices {
            let key = keys[index]
            values[index] = Double(bitPattern: key & signBit != 0 ? key & ~signBit : ~key)
        }
    }

    static func sort(_ keys: inout [UInt64]) {
        guard keys.count > 64 else {
            keys.sort()
            return
        }
        let count = keys.count
        var scratch = [UInt64](repeating: 0, count: count)
        var counts = [Int](repeating: 0, count: 256)
        keys.withUnsafeMutableBufferPointer { keys in
            scratch.withUnsafeMutableBufferPointer { scratch in
                counts.withUnsafeMutableBufferPointer { counts in
                    var source = keys
                    var target = scratch
                    let varying = source.reduce(0) { $0 | ($1 ^ source[0]) }
                    for shift in stride(from: UInt64(0), to: 64, by: 8) where (varying >> shift) & 0xFF != 0 {
                        counts.update(repeating: 0)
                        for key in source { counts[Int(truncatingIfNeeded: key >> shift) & 0xFF] &+= 1 }
                        var total = 0
                        for index in 0..<256 {
                            let here = counts[index]
                            counts[index] = total
                            total &+= here
                        }
                        for key in source {
                            let digit = Int(truncatingIfNeeded: key >> shift) & 0xFF
                            target[counts[digit]] = key
                            counts[digit] &+= 1
                        }
                        swap(&source, &target)
                    }
                    // An odd number of passes leaves the keys in the scratch buffer.
                    if source.baseAddress != keys.baseAddress {
                        keys.baseAddress!.update(from: source.baseAddress!, count: count)
                    }
                }
            }
        }
    }
}
