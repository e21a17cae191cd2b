import MLOpsRPC
import MLOpsTLS
package import MLOpsTLSTransport

/// What the service benchmarks share: a client over mutual TLS.
package enum BenchmarkClient {
    /// A client of `address` (host:port) presenting `cert`/`key`, trusting `ca`.
    package static func make(address: String, ca: String, cert: String, key: String) throws -> RPCClient {
        let parts = address.split(separator: ":")
        let host = String(parts[0])
        let tls = TLSConfiguration.client(
            serverName: host,
            trustRootsPath: ca,
            certificateChainPath: cert,
            privateKeyPath: key
        )
        return try RPCClient(configuration: RPCClientConfiguration(host: host, port: Int(parts[1])!, tls: tls))
    }
}
