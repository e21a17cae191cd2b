import MLOpsRPC
public import MLOpsTLS

/// Where and how a server listens. Read once at start.
public struct RPCServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests); `RPCServer.listeningAddress` tells which.
    public var port: Int
    public var tls: TLSConfiguration
    /// The largest frame payload accepted; larger requests get RESOURCE_EXHAUSTED.
    public var maximumFrameSize = 4 * 1024 * 1024
    /// Calls in flight on one connection before new ones get RESOURCE_EXHAUSTED.
    public var maximumConcurrentCallsPerConnection = 4096
    /// Connections held at once. When full, the authenticated connection
    /// idle longest is let go for a newcomer; with none idle, the newcomer is
    /// closed on arrival.
    public var maximumConnections = 1024
    /// Connections still in their TLS handshake; when that many are, the
    /// oldest is closed for a newcomer. A flood of silent connections cycles
    /// through these and never reaches authenticated clients' share.
    public var maximumHandshakes = 128
    /// Handshakes in progress from one IP address; more are closed on arrival.
    public var maximumHandshakesPerAddress = 16
    /// A connection with no call in flight and no complete frame for this long
    /// is closed (this also ends a peer that sent half a frame and went silent).
    public var idleTimeout: Duration = .seconds(300)

    public init(host: String, port: Int, tls: TLSConfiguration) {
        self.host = host
        self.port = port
        self.tls = tls
    }
}
