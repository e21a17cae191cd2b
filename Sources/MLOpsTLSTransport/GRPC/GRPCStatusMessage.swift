/// `grpc-message`'s encoding: UTF-8, with every byte outside printable ASCII,
/// and `%` itself, percent-encoded.
enum GRPCStatusMessage {
    static func encode(_ message: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(message.utf8.count)
        for byte in message.utf8 {
            if byte >= 0x20, byte <= 0x7E, byte != UInt8(ascii: "%") {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += "%"
                encoded += String(byte >> 4, radix: 16, uppercase: true)
                encoded += String(byte & 0x0F, radix: 16, uppercase: true)
            }
        }
        return encoded
    }

    /// An error about the peer's bytes, for a log line: NIOHTTP2's errors
    /// quote the offending header value, which may hold CR or LF (a forged
    /// log line) and any length.
    static func loggable(_ error: any Error) -> String {
        encode(String(String(describing: error).prefix(300)))
    }

    /// The message `encode` wrote; a `%` not followed by two hex digits stays as it is.
    static func decode(_ encoded: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.utf8.count)
        let utf8 = Array(encoded.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
                let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
