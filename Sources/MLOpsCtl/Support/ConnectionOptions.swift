import ArgumentParser
import Foundation
import MLOpsRPC
import MLOpsTLS
import MLOpsTLSTransport

/// Where a service is and who we are to it: flags, else environment
/// (`MLOPS_<SERVICE>_ADDRESS`, `MLOPS_TLS_CA`, `MLOPS_TLS_CERT`, `MLOPS_TLS_KEY`).
struct ConnectionOptions: ParsableArguments {
    @Option(
        help:
            "host:port of the service, or several comma-separated replicas to spread calls over (default: $MLOPS_<SERVICE>_ADDRESS, else its local port)."
    )
    var address: String?

    @Option(help: "CA bundle that signed the service's certificate (default: $MLOPS_TLS_CA).")
    var ca: String?

    @Option(help: "Our certificate, whose CN is our identity (default: $MLOPS_TLS_CERT).")
    var cert: String?

    @Option(help: "Our private key (default: $MLOPS_TLS_KEY).")
    var key: String?

    @Option(help: "Seconds before a call gives up.")
    var timeout: Double = 30

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    /// A client for `service` (e.g. `registry`), whose default port is `defaultPort`.
    /// Flags first, then the environment, then a stack `mlopsctl dev up` runs
    /// from this folder (as `admin`), then the service's default port.
    func client(service: String, defaultPort: Int) throws -> RPCClient {
        var environment = ProcessInfo.processInfo.environment
        if let dev = try? DevStack(folder: ".mlops-dev", basePort: 0), dev.state.basePort > 0 {
            environment.merge(dev.environment) { own, _ in own }
        }
        let address = address ?? environment["MLOPS_\(service.uppercased())_ADDRESS"] ?? "127.0.0.1:\(defaultPort)"
        guard let targets = RPCClientConfiguration.Target.list(address) else {
            throw ValidationError("--address must be host:port, or several comma-separated, not '\(address)'")
        }
        guard let ca = ca ?? environment["MLOPS_TLS_CA"] else {
            throw ValidationError("no CA bundle: pass --ca or set MLOPS_TLS_CA")
        }
        let tls = TLSConfiguration.client(
            serverName: nil,  // each target's host
            trustRootsPath: ca,
            certificateChainPath: cert ?? environment["MLOPS_TLS_CERT"],
            privateKeyPath: key ?? environment["MLOPS_TLS_KEY"]
        )
        return try RPCClient(configuration: RPCClientConfiguration(targets: targets, tls: tls))
    }

    var callOptions: CallOptions {
        CallOptions(timeout: .milliseconds(Int64(timeout * 1000)))
    }
}

/// Runs one command's calls; an RPC failure is one clear line on standard
/// error (which service, where, which status) and exit status 1.
func withService<Client>(
    _ name: String,
    _ client: RPCClient,
    wrap: (RPCClient) -> Client,
    _ body: (Client) async throws -> Void
) async throws {
    defer { Task { await client.close() } }
    do {
        try await body(wrap(client))
    } catch let error as RPCError {
        FileHandle.standardError.write(Data("\(name) at \(client.address): \(error.code): \(error.message)\n".utf8))
        throw ExitCode(1)
    }
}
