/// The refusals every transport gives in the same words: our framing, gRPC,
/// and calls in process.
extension RPCError {
    /// A call to a method this server does not serve; the path as sent, up
    /// to 100 characters (it is the caller's input).
    package static func unknownMethod(_ path: String) -> RPCError {
        let shown = path.count > 100 ? path.prefix(100) + "…" : Substring(path)
        return RPCError(code: .unimplemented, message: "unknown method \(shown)")
    }

    /// A call whose handler did not finish within the deadline its caller set.
    package static func deadlineExceeded(_ method: String, after timeout: Duration) -> RPCError {
        let milliseconds = Double(timeout.components.seconds) * 1000 + Double(timeout.components.attoseconds) / 1e15
        return RPCError(
            code: .deadlineExceeded,
            message: "\(method) did not finish within its \(milliseconds) ms deadline"
        )
    }

    /// A call whose deadline had passed before it could start; it did not run.
    package static func deadlinePassedBeforeStart(_ method: String) -> RPCError {
        RPCError(
            code: .deadlineExceeded,
            message: "\(method.prefix(100)): the deadline has passed; the call did not run"
        )
    }
}

extension ServerCallContext {
    /// A connection's tag, the prefix of the request ids it makes up.
    package static func newConnectionTag() -> String {
        String(UInt32.random(in: .min ... .max), radix: 36)
    }
}
