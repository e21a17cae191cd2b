/// Which rows a window too large for its budget keeps: each row gets a
/// 64-bit key from its id and the window's seed, and the rows with the
/// smallest keys are the sample (bottom-k sampling). The keys are the same in
/// every process (Swift's `Hasher` is seeded per process) and do not depend
/// on the order rows arrive in, so a window computed again samples the same rows.
public enum SampleKey {
    /// The seed of one window: its model, end and lookback.
    public static func seed(model: String, windowEnd: Int64, lookbackHours: Int) -> UInt64 {
        mix(fnv1a(model.utf8) ^ mix(UInt64(bitPattern: windowEnd)) ^ mix(UInt64(lookbackHours) &+ 0x9E37))
    }

    /// The key of the row whose id is `id`.
    public static func key(id: some Sequence<UInt8>, seed: UInt64) -> UInt64 {
        mix(fnv1a(id) ^ seed)
    }

    private static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// SplitMix64's finaliser: every input bit moves every output bit.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
