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

}
