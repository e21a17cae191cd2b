/// An error that knows the status it answers with. A handler throws it as it
/// is; the server turns it into a status in one place (`CallFailure`), so
/// no handler maps errors itself.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}
