/// What identifies a request under an idempotency key: its model, candidate,
/// trigger and every sample, hashed (two FNV-1a 64-bit lanes, 128 bits).
/// The same request gives the same fingerprint; any difference changes it.
struct RequestFingerprint {
    private var a: UInt64 = 0xCBF2_9CE4_8422_2325
    private var b: UInt64 = 0x6C62_272E_07BB_0142

    init(
        model: String,
        candidate: Int64,
        trigger: String,
        samples: [Int32],
        _ candidates: [Double],
        _ productions: [Double]
    ) {
        add(model)
        add(UInt64(bitPattern: candidate))
        add(trigger)
        add(UInt64(samples.count))
        for label in samples { add(UInt64(UInt32(bitPattern: label))) }
        add(UInt64(candidates.count))
        for value in candidates { add(value.bitPattern) }
        add(UInt64(productions.count))
        for value in productions { add(value.bitPattern) }
    }

    private mutating func add(_ text: String) {
        add(UInt64(text.utf8.count))
        for byte in text.utf8 { mix(byte) }
    }

    private mutating func add(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }

    private mutating func mix(_ byte: UInt8) {
        a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 &+ 0x9E37_79B9
    }

    var text: String {
        let hex = { (value: UInt64) in
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(a) + hex(b)
    }
}
