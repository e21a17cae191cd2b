/// Per-call settings a client chooses.
public struct CallOptions: Sendable {
    /// How long the call may take in all; nil for no deadline.
    public var timeout: Duration?
    /// Sent to the server with the call; keys are lowercase ASCII.
    public var metadata: [String: String]

    public init(timeout: Duration? = nil, metadata: [String: String] = [:]) {
        self.timeout = timeout
        self.metadata = metadata
    }
}

extension Duration {
    package var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
