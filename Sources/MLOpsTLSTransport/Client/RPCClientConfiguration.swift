import MLOpsRPC
public import MLOpsTLS

/// Where a client connects and how. Read once.
public struct RPCClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Must be a client configuration; its `serverName` is what the server's
    /// certificate must carry (defaults to `host`).
    public var tls: TLSConfiguration
    /// The largest response frame accepted.
    public var maximumFrameSize = 4 * 1024 * 1024
    public var connectTimeout: Duration = .seconds(5)
    /// Waits between reconnection attempts.
    public var reconnectBackoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))

    /// Waits that double from `initial` after each failure, up to `maximum`.
    public struct Backoff: Sendable {
        public var initial: Duration
        public var maximum: Duration

        public init(initial: Duration, maximum: Duration) {
            self.initial = initial
            self.maximum = maximum
        }
    }

    public init(host: String, port: Int, tls: TLSConfiguration) {
        self.host = host
        self.port = port
        self.tls = tls
        if self.tls.serverName == nil { self.tls.serverName = host }
    }
}
