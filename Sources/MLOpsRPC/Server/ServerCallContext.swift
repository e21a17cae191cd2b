public import MLOpsTLS

/// What a handler knows about the call it serves.
public struct ServerCallContext: Sendable {
    /// `/mlops.v1.<Service>/<Method>`.
    public var method: String
    /// The caller's verified certificate identity; nil only when client
    /// certificates are optional and none was sent.
    public var peer: PeerIdentity?
    /// The caller's metadata; `request-id` is set on every call (generated when
    /// the caller sent none).
    public var metadata: [String: String]
    /// When the caller stops waiting, if it said.
    public var deadline: ContinuousClock.Instant?

    public var requestID: String { metadata["request-id"] ?? "" }
    /// The caller's identity (its certificate's common name), or "anonymous".
    public var callerIdentity: String { peer?.commonName ?? "anonymous" }
}
