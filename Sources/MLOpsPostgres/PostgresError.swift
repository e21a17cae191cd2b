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
        /// The settings cannot work (a malformed URL, say).
        public static let invalidConfiguration = Code("invalid configuration")
        /// No connection became free within the pool's acquisition timeout.
        public static let poolTimeout = Code("pool timeout")

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
    /// The transaction lost a race and may simply be tried again.
    public var isSerializationFailure: Bool { sqlState == "40001" }
    public var isDeadlock: Bool { sqlState == "40P01" }
    /// `statement_timeout` (or a cancel) stopped the statement.
    public var isQueryCanceled: Bool { sqlState == "57014" }
    /// Worth retrying the whole transaction.
    public var isTransient: Bool { isSerializationFailure || isDeadlock }
    /// The database cannot answer now, but may soon: a lost connection, no
    /// free connection in time, a cancelled statement, or a transaction that
    /// lost a race. Services answer these with `UNAVAILABLE` (callers retry);
    /// anything else is a fault of the request or of the code.
    public var isUnavailable: Bool { isConnectionLost || code == .poolTimeout || isQueryCanceled || isTransient }
    /// The connection itself is gone (network, server restart, admin shutdown).
    public var isConnectionLost: Bool {
        code == .connectionFailed || sqlState?.hasPrefix("08") == true || sqlState == "57P01"
            || sqlState == "57P02" || sqlState == "57P03"
    }

    public var description: String {
        if let sqlState { return "\(code) [\(sqlState)]: \(message)" }
        return "\(code): \(message)"
    }
}
