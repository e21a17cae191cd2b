internal import COpenSSL

/// A failed OpenSSL call: what we were doing, and every reason OpenSSL queued
/// for it (library, function and reason text), oldest first.
package struct OpenSSLError: Error, Sendable, CustomStringConvertible {
    package var operation: String
    package var reasons: [String]

    /// Takes everything off this thread's OpenSSL error queue, so the next call
    /// starts clean.
    package static func drain(_ operation: String) -> OpenSSLError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
        }
        return OpenSSLError(operation: operation, reasons: reasons)
    }

    package var description: String {
        reasons.isEmpty ? operation : "\(operation): \(reasons.joined(separator: "; "))"
    }
}
