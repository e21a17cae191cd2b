/// gRPC's `grpc-timeout` header: at most eight ASCII digits and a unit
/// (`H`, `M`, `S`, `m`, `u`, `n`), e.g. `100m` for 100 milliseconds.
enum GRPCTimeout {
    /// The time the header allows, or nil when it is not a valid timeout.
    static func parse(_ value: Substring) -> Duration? {
        guard let unit = value.last, (2...9).contains(value.utf8.count) else { return nil }
        let digits = value.dropLast()
        guard digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let amount = Int64(digits)
        else { return nil }
        switch unit {
        case "H": return .seconds(amount * 3600)
        case "M": return .seconds(amount * 60)
        case "S": return .seconds(amount)
        case "m": return .milliseconds(amount)
        case "u": return .microseconds(amount)
        case "n": return .nanoseconds(amount)
        default: return nil
        }
    }

    /// The header's value for `duration`, in the finest unit that fits eight digits.
    static func format(_ duration: Duration) -> String {
        let nanoseconds =
            max(0, duration.components.seconds) * 1_000_000_000
            + max(0, duration.components.attoseconds / 1_000_000_000)
        let units: [(Int64, Character)] = [
            (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"), (60_000_000_000, "M"),
            (3_600_000_000_000, "H"),
        ]
        for (size, unit) in units {
            // Rounded up: a caller's deadline never shrinks on the wire.
            let amount = (nanoseconds + size - 1) / size
            if amount < 100_000_000 { return "\(amount)\(unit)" }
        }
        return "99999999H"
    }
}
