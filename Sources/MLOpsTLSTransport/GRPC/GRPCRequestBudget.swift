/// The bytes of requests still arriving on one gRPC connection, over all its
/// streams: HTTP/2 lets a client interleave many half-sent requests, each
/// buffered until it is whole, so a connection may hold at most
/// `limit` of them at once (four of the largest requests); a stream that
/// would go over is refused with RESOURCE_EXHAUSTED. Used on the
/// connection's event loop only.
final class GRPCRequestBudget {
    let limit: Int
    private(set) var buffered = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes `bytes` from the budget; false (taking nothing) when they do not fit.
    func take(_ bytes: Int) -> Bool {
        guard buffered + bytes <= limit else { return false }
        buffered += bytes
        return true
    }

    func release(_ bytes: Int) {
        buffered -= bytes
    }
}
