public import MLOpsPostgres
public import MLOpsRPC

/// A service's own database failing, as its callers hear it: `UNAVAILABLE`
/// when a retry may succeed, else `INTERNAL`; the database's text only in the log.
extension PostgresError: RPCErrorConvertible {
    public var rpcError: RPCError { .storage(self, retryable: isUnavailable) }
}
