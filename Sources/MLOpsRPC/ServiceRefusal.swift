/// A request a service refuses, with the status it answers. Kept apart from
/// `RPCError` so a service that also calls others never mistakes its own
/// refusal for an error one of them returned.
public struct ServiceRefusal: RPCErrorConvertible, Equatable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String

    public init(code: StatusCode, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The answer the caller gets.
    public var rpcError: RPCError { RPCError(code: code, message: message) }

    public static func invalid(_ message: String) -> Self { Self(code: .invalidArgument, message: message) }
    public static func notFound(_ message: String) -> Self { Self(code: .notFound, message: message) }
    public static func precondition(_ message: String) -> Self { Self(code: .failedPrecondition, message: message) }
}
