/// One RPC of the `mlops.v1` API: its path on the wire and its message types.
public struct RPCMethod<Request: ProtobufMessage, Response: ProtobufMessage>: Sendable, Hashable {
    /// `/mlops.v1.<Service>/<Method>`.
    public let path: String
    /// True when the server answers with a stream of responses.
    public let isServerStreaming: Bool

    public init(service: String, method: String, isServerStreaming: Bool) {
        self.path = "/\(service)/\(method)"
        self.isServerStreaming = isServerStreaming
    }
}
