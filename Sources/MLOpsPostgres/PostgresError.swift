/// A failure talking to PostgreSQL: a code services can map to RPC status
/// codes, the server's SQLSTATE when it sent one, and a message that never
/// carries connection secrets.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// Could not connect, or the connection broke.
        public static let connectionFailed = Code("connection failed")
        /// The server rejected the statement; `sqlState` says why.
        public static let serverError = Code("server error")
        /// A value in a row did not have the type asked for.
        public static let decodingFailed = Code("decoding failed")

        public var description: String { name }
    }

    public var code: Code
    /// The five-character SQLSTATE, e.g. `23505` for a unique violation.
    public var sqlState: String?
    public var message: String

    public init(code: Code, sqlState: String? = nil, message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }

    public var description: String {
        if let sqlState { return "\(code) [\(sqlState)]: \(message)" }
        return "\(code): \(message)"
    }
}
