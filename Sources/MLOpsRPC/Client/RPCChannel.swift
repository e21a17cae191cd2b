public import MLOpsMessages

/// What a typed client calls through: a connection to a server over a
/// transport (`RPCClient`, TLS over TCP), or a server's handlers in this
/// process (`InProcessChannel`).
public protocol RPCChannel: Sendable {
    /// Where the calls go, for messages.
    var address: String { get }

    func unary<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        options: CallOptions
    ) async throws -> Response

    /// The responses as the server sends them. The call starts with the
    /// first `next()`; ending the iteration early cancels it.
    func serverStreaming<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        options: CallOptions
    ) -> ResponseStream<Response>

    /// Ends the channel; calls in flight fail with UNAVAILABLE.
    func close() async
}

extension RPCChannel {
    public func unary<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request
    ) async throws -> Response {
        try await unary(method, request, options: CallOptions())
    }

    public func serverStreaming<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request
    ) -> ResponseStream<Response> {
        serverStreaming(method, request, options: CallOptions())
    }
}
