import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTLS
import MLOpsTLSTransport

/// Where the three services of a stack answer, and the folder of certificates
/// of the identities that call them (`ca.pem`, and `NAME.pem` with `NAME.key`
/// for admin, trainer and serving, as `mlopsctl dev` and compose's CA issue them).
struct StackEndpoints {
    /// host:port, or several comma-separated replicas, by service name.
    var addresses: [String: String]
    var certificates: URL

    /// The stack given by `MLOPS_REGISTRY_ADDRESS`, `MLOPS_MONITORING_ADDRESS`
    /// and `MLOPS_GATE_ADDRESS`, as for every other command.
    init(certificates: URL, environment: [String: String]) throws {
        self.certificates = certificates
        addresses = [:]
        for (service, variable) in zip(
            DevStack.services,
            ["MLOPS_REGISTRY_ADDRESS", "MLOPS_MONITORING_ADDRESS", "MLOPS_GATE_ADDRESS"]
        ) {
            guard let address = environment[variable] else {
                throw ValidationError("set \(variable) to where \(service.name) answers (host:port)")
            }
            addresses[service.name] = address
        }
    }

    init(addresses: [String: String], certificates: URL) {
        self.addresses = addresses
        self.certificates = certificates
    }

    /// A client of `service` presenting `identity`'s certificate; each
    /// target's host is checked against the service's certificate.
    func client(_ service: DevStack.Service, as identity: String) throws -> RPCClient {
        let address = addresses[service.name] ?? ""
        guard let targets = RPCClientConfiguration.Target.list(address) else {
            throw ValidationError("\(service.name)'s address must be host:port, not '\(address)'")
        }
        let tls = TLSConfiguration.client(
            serverName: nil,
            trustRootsPath: certificates.appendingPathComponent("ca.pem").path,
            certificateChainPath: certificates.appendingPathComponent(identity + ".pem").path,
            privateKeyPath: certificates.appendingPathComponent(identity + ".key").path
        )
        return try RPCClient(configuration: RPCClientConfiguration(targets: targets, tls: tls))
    }

    /// Health of `service` as it answers now (nil: not answering).
    func health(_ service: DevStack.Service, timeout: Duration = .seconds(2)) async -> ServingStatus? {
        guard let client = try? client(service, as: "admin") else { return nil }
        defer { Task { await client.close() } }
        let response = try? await HealthClient(client).check(
            .init(service: service.rpcService),
            options: CallOptions(timeout: timeout)
        )
        return response?.status
    }
}
