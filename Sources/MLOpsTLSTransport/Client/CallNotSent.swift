import MLOpsRPC

/// A call that failed before its request left this process (no connection,
/// or the server refused its stream with GOAWAY): no server acted on it, so
/// the client may try it on another. Callers see `error`.
struct CallNotSent: Error {
    let error: RPCError
}
