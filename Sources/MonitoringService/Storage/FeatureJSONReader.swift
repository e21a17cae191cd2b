import DriftEngine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the flat feature objects PostgreSQL prints for the `jsonb` feature
/// columns (`{"dti": 0.31, "income": 52000}`) straight into a `FeatureTable`
/// (or a window's bounded sample).
/// A window holds hundreds of thousands of these, so keys are matched
/// against the previous row's at the same position (jsonb prints keys in a
/// fixed order) and numbers are parsed in place.
struct FeatureJSONReader {
    struct Malformed: Error, CustomStringConvertible {
        var text: String
        var description: String { "a feature object is not flat JSON: \(text.prefix(120))" }
    }

    private var keysAtPosition: [(key: [UInt8], column: Int)] = []

    mutating func read(_ text: UnsafePointer<CChar>, into table: inout some FeatureSink) throws(Malformed) {
        var cursor = UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self)
        func fail() -> Malformed { Malformed(text: String(cString: text)) }
        func skipSpace() { while cursor.pointee == 0x20 || cursor.pointee == 0x0A { cursor += 1 } }
        skipSpace()
        guard cursor.pointee == UInt8(ascii: "{") else { throw fail() }
        cursor += 1
        skipSpace()
        if cursor.pointee == UInt8(ascii: "}") { return }
        var position = 0
        while true {
            guard cursor.pointee == UInt8(ascii: "\"") else { throw fail() }
            let key = try readString(&cursor, text)
            let column = columnIndex(for: key, at: position, in: &table)
            skipSpace()
            guard cursor.pointee == UInt8(ascii: ":") else { throw fail() }
            cursor += 1
            skipSpace()
            switch cursor.pointee {
            case UInt8(ascii: "\""):
                let value = try readString(&cursor, text)
                table.append(String(decoding: value, as: UTF8.self), at: column)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                var end: UnsafeMutablePointer<CChar>?
                let start = UnsafeRawPointer(cursor).assumingMemoryBound(to: CChar.self)
                let value = strtod(start, &end)
                guard let end, UnsafeRawPointer(end) > UnsafeRawPointer(start) else { throw fail() }
                cursor = UnsafeRawPointer(end).assumingMemoryBound(to: UInt8.self)
                table.append(value, at: column)
            case UInt8(ascii: "n"):
                // null: the feature is missing in this row.
                guard memcmp(cursor, "null", 4) == 0 else { throw fail() }
                cursor += 4
            default:
                throw fail()
            }
            skipSpace()
            if cursor.pointee == UInt8(ascii: ",") {
                cursor += 1
                skipSpace()
                position += 1
            } else if cursor.pointee == UInt8(ascii: "}") {
                return
            } else {
                throw fail()
            }
        }
    }

    private mutating func columnIndex(for key: [UInt8], at position: Int, in table: inout some FeatureSink) -> Int {
        if position < keysAtPosition.count, keysAtPosition[position].key == key {
            return keysAtPosition[position].column
        }
        let column = table.columnIndex(String(decoding: key, as: UTF8.self))
        if position < keysAtPosition.count {
            keysAtPosition[position] = (key, column)
        } else {
            keysAtPosition.append((key, column))
        }
        return column
    }

    /// A JSON string's bytes, escapes decoded; the cursor ends past the closing quote.
    private func readString(
        _ cursor: inout UnsafePointer<UInt8>,
        _ text: UnsafePointer<CChar>
    ) throws(Malformed) -> [UInt8] {
        cursor += 1
        var bytes: [UInt8] = []
        while true {
            switch cursor.pointee {
            case 0:
                throw Malformed(text: String(cString: text))
            case UInt8(ascii: "\""):
                cursor += 1
                return bytes
            case UInt8(ascii: "\\"):
                cursor += 1
                switch cursor.pointee {
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "u"):
                    var hex = ""
                    for offset in 1...4 {
                        guard cursor[offset] != 0 else { throw Malformed(text: String(cString: text)) }
                        hex.unicodeScalars.append(Unicode.Scalar(cursor[offset]))
                    }
                    cursor += 4
                    guard var unit = UInt32(hex, radix: 16) else { throw Malformed(text: String(cString: text)) }
                    // A surrogate pair is two escapes.
                    if (0xD800..<0xDC00).contains(unit), cursor[1] == UInt8(ascii: "\\"), cursor[2] == UInt8(ascii: "u")
                    {
                        var low = ""
                        for offset in 3...6 {
                            guard cursor[offset] != 0 else { throw Malformed(text: String(cString: text)) }
                            low.unicodeScalars.append(Unicode.Scalar(cursor[offset]))
                        }
                        if let lowUnit = UInt32(low, radix: 16), (0xDC00..<0xE000).contains(lowUnit) {
                            unit = 0x10000 + ((unit - 0xD800) << 10) + (lowUnit - 0xDC00)
                            cursor += 6
                        }
                    }
                    bytes.append(contentsOf: Array(String(Unicode.Scalar(unit) ?? "\u{FFFD}").utf8))
                case 0: throw Malformed(text: String(cString: text))
                default: bytes.append(cursor.pointee)  // \" \\ \/
                }
                cursor += 1
            default:
                bytes.append(cursor.pointee)
                cursor += 1
            }
        }
    }
}
