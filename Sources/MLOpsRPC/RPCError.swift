public import MLOpsMessages

/// A call that ended with a status other than OK: the code, a message naming
/// the offending value, and, on the side that raised it, the underlying cause
/// (never sent over the wire).
public struct RPCError: RPCErrorConvertible, Sendable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    public var metadata: [String: String]
    public var cause: (any Error)?

    public init(code: StatusCode, message: String, metadata: [String: String] = [:], cause: (any Error)? = nil) {
        precondition(code != .ok, "an RPCError cannot carry OK")
        self.code = code
        self.message = message
        self.metadata = metadata
        self.cause = cause
    }

    /// The error a received non-OK status stands for; nil for OK.
    public init?(status: Status) {
        let code = StatusCode(rawValue: status.code)
        guard code != .ok else { return nil }
        self.init(code: code, message: status.message, metadata: status.metadata)
    }

    /// The status to send for this error.
    public var status: Status {
        Status(code: code.rawValue, message: message, metadata: metadata)
    }

    public var description: String { "\(code): \(message)" }

    public var rpcError: RPCError { self }
}

extension RPCError {
    /// A service's own database failing: `UNAVAILABLE` when a retry may
    /// succeed, else `INTERNAL`. The database's text stays in `cause`, which
    /// the server logs with the request id and never sends.
    package static func storage(_ cause: any Error, retryable: Bool) -> RPCError {
        retryable
            ? RPCError(code: .unavailable, message: "the service's database is unavailable; try again", cause: cause)
            : RPCError(code: .internal, message: "the service's database failed", cause: cause)
    }
}
