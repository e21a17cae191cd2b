/// What a handler knows about the call it serves.
public struct ServerCallContext: Sendable {
    /// `/mlops.v1.<Service>/<Method>`.
    public var method: String
    /// The caller's verified identity; nil only when client certificates are
    /// optional and none was sent.
    public var peer: PeerIdentity?
    /// The caller's metadata, as sent.
    public var metadata: [String: String]
    /// When the caller stops waiting, if it said.
    public var deadline: ContinuousClock.Instant?
    /// Names the call when the caller sent no `request-id`: made up only if
    /// asked for, as most calls never are.
    let connectionTag: String
    let streamID: UInt32

    package init(
        method: String,
        peer: PeerIdentity?,
        metadata: [String: String],
        deadline: ContinuousClock.Instant?,
        connectionTag: String,
        streamID: UInt32
    ) {
        self.method = method
        self.peer = peer
        self.metadata = metadata
        self.deadline = deadline
        self.connectionTag = connectionTag
        self.streamID = streamID
    }

    /// The caller's `request-id`, or one unique to this call on this server
    /// when it sent none.
    public var requestID: String {
        if let sent = metadata["request-id"], !sent.isEmpty { return sent }
        return "\(connectionTag)-\(streamID)"
    }
    /// The caller's identity (its certificate's common name), or "anonymous".
    public var callerIdentity: String { peer?.commonName ?? "anonymous" }
}
