/// Why a message could not be encoded or decoded.
public struct MessageCodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The bytes are not a valid encoding of the message (truncated, bad tag, wrong wire type...).
        public static let malformed = Code("malformed")
        /// A string field is not valid UTF-8.
        public static let invalidUTF8 = Code("invalid UTF-8")
        /// A string holds U+0000, which protobuf-c's NUL-terminated strings cannot carry.
        public static let embeddedNUL = Code("embedded NUL")

        public var description: String { name }
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
