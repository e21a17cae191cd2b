package import Logging
package import MLOpsMessages

/// What a caller hears when its call fails, and what the server logs: the
/// one place where errors become statuses. A refusal (`RPCError`, or an
/// error that converts to one) is answered as it is; its cause, and any other
/// error, stays in the log under the call's request id: database and library
/// text never reaches a caller. Every failure's status carries the request
/// id, so a caller can name the call to whoever reads the log.
package struct CallFailure {
    /// Longest status message sent, in UTF-8 bytes: messages may quote input.
    static let maximumMessageLength = 1_024

    package let status: Status

    package init(_ error: any Error, context: ServerCallContext, logger: Logger) {
        let requestID = context.requestID
        var failure: RPCError
        switch error {
        case let error as any RPCErrorConvertible:
            failure = error.rpcError
            if let cause = failure.cause {
                failure.message += " (request \(requestID))"
                logger.warning(
                    "call failed",
                    metadata: [
                        "request-id": "\(requestID)", "method": "\(context.method)", "code": "\(failure.code)",
                        "error": "\(cause)",
                    ]
                )
            }
        default:
            logger.error(
                "call failed unexpectedly",
                metadata: ["request-id": "\(requestID)", "method": "\(context.method)", "error": "\(error)"]
            )
            failure = RPCError(code: .internal, message: "\(context.method) failed (request \(requestID))")
        }
        failure.metadata["request-id"] = requestID
        status = Status(code: failure.code.rawValue, message: Self.capped(failure.message), metadata: failure.metadata)
    }

    private static func capped(_ message: String) -> String {
        guard message.utf8.count > maximumMessageLength else { return message }
        var cut = message.utf8.prefix(maximumMessageLength - 3)
        while String(cut) == nil { cut = cut.dropLast() }  // not inside a character
        return String(cut)! + "…"
    }
}
