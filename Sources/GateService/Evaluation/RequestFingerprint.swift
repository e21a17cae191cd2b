/// What identifies a request under an idempotency key: its model, candidate,
/// trigger and every sample, hashed into two 64-bit lanes (128 bits), a word
/// at a time. The same request gives the same fingerprint; any difference
/// changes it (this guards against mistakes, not adversaries).
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
        a = (a ^ word) &* 0x0000_0100_0000_01B3
        a ^= a >> 32
        b = (b &+ word) &* 0x9E37_79B9_7F4A_7C15
        b ^= b >> 29
    }

    private mutating func mix(_ byte: UInt8) {
        add(UInt64(byte))
    }

    var text: String {
        let hex = { (value: UInt64) in
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(a) + hex(b)
    }
}
