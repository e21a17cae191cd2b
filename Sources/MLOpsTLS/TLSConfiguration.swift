/// How one side of a connection does TLS. Built once, at start, from the
/// service's configuration; `TLSContext` turns it into an OpenSSL context.
public struct TLSConfiguration: Sendable {
    public enum Role: Sendable { case server, client }

    public var role: Role
    /// PEM: this side's certificate (and any intermediates after it).
    public var certificateChainPath: String?
    /// PEM: the key of that certificate.
    public var privateKeyPath: String?
    /// PEM: the certificate authorities the peer's chain must end in.
    public var trustRootsPath: String
    /// Server: ask for a client certificate and refuse the handshake without a
    /// valid one. On by default: the registry authorises by that identity.
    public var requireClientCertificate = true
    /// Client: the name or IP address the server's certificate must carry
    /// (also sent as SNI when it is a name).
    public var serverName: String?
    /// TLS 1.2 at least; OpenSSL prefers 1.3 when both sides speak it.
    public var minimumVersion: TLSVersion = .tls12
    /// The ALPN protocol ids offered (client) or accepted (server), in order
    /// of preference. A server accepts both of its protocols by default.
    public var applicationProtocols: [String] = [TLSConfiguration.rpcProtocol]
    /// A handshake not finished by then fails and closes the connection.
    public var handshakeTimeout: Duration = .seconds(10)

    /// The ALPN id of this system's RPC protocol (docs/protocol.md).
    public static let rpcProtocol = "mlops-rpc/1"
    /// The ALPN id of HTTP/2, which gRPC runs over.
    public static let http2Protocol = "h2"

    public static func server(
        certificateChainPath: String,
        privateKeyPath: String,
        trustRootsPath: String,
        requireClientCertificate: Bool = true
    ) -> TLSConfiguration {
        TLSConfiguration(
            role: .server,
            certificateChainPath: certificateChainPath,
            privateKeyPath: privateKeyPath,
            trustRootsPath: trustRootsPath,
            requireClientCertificate: requireClientCertificate,
            applicationProtocols: [rpcProtocol, http2Protocol]
        )
    }

    /// A client presenting `certificateChainPath` (its identity) when given,
    /// expecting servers' certificates to carry `serverName` (nil: a client
    /// of several targets takes each one's host).
    public static func client(
        serverName: String?,
        trustRootsPath: String,
        certificateChainPath: String? = nil,
        privateKeyPath: String? = nil
    ) -> TLSConfiguration {
        TLSConfiguration(
            role: .client,
            certificateChainPath: certificateChainPath,
            privateKeyPath: privateKeyPath,
            trustRootsPath: trustRootsPath,
            serverName: serverName
        )
    }
}

public enum TLSVersion: Sendable, Comparable {
    case tls12, tls13
}
