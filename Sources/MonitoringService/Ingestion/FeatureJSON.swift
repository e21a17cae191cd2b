/// Feature maps as JSON objects, written by hand: ingestion writes one per
/// prediction, 100,000 at a time, and JSONEncoder would dominate that.
enum FeatureJSON {
    /// Non-finite values are left out: the drift engine treats them as missing anyway.
    static func object(_ features: [String: Double]) -> String {
        var text = "{"
        text.reserveCapacity(features.count * 32)
        var first = true
        for (key, value) in features where value.isFinite {
            if !first { text += "," }
            first = false
            appendQuoted(key, to: &text)
            text += ":"
            // Straight into the text, without a String per number.
            value.write(to: &text)
        }
        text += "}"
        return text
    }

    static func object(_ features: [String: String]) -> String {
        var text = "{"
        text.reserveCapacity(features.count * 24)
        var first = true
        for (key, value) in features {
            if !first { text += "," }
            first = false
            appendQuoted(key, to: &text)
            text += ":"
            appendQuoted(value, to: &text)
        }
        text += "}"
        return text
    }

    private static func appendQuoted(_ string: String, to text: inout String) {
        // Feature names and categories rarely need escapes: appended whole when they do not.
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            text += "\""
            text += string
            text += "\""
            return
        }
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case let control where control.value < 0x20:
                text +=
                    "\\u" + String(repeating: "0", count: 4 - String(control.value, radix: 16).count)
                    + String(control.value, radix: 16)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
