import MLOpsRPC
public import MLOpsTLS
public import NIOCore

/// Where a client connects and how. Read once.
public struct RPCClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Must be a client configuration; its `serverName` is what the server's
    /// certificate must carry (defaults to `host`).
    public var tls: TLSConfiguration
    /// The largest response frame accepted.
    public var maximumFrameSize = 4 * 1024 * 1024
    public var connectTimeout: TimeAmount = .seconds(5)
    /// Waits between reconnection attempts: doubling from the first to the last.
    public var reconnectBackoff: (first: Duration, last: Duration) = (.milliseconds(100), .seconds(5))

    public init(host: String, port: Int, tls: TLSConfiguration) {
        self.host = host
        self.port = port
        self.tls = tls
        if self.tls.serverName == nil { self.tls.serverName = host }
    }
}
