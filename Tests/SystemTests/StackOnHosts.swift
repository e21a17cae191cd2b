import Foundation
import MLOpsPostgres
import MLOpsProcess
import MLOpsTestSupport
import Testing

/// compose/'s stack with its parts on hosts of their own (network namespaces
/// on one bridge): PostgreSQL on `postgres` with compose's roles and
/// passwords (compose/postgres/roles.sh), certificates from
/// compose/certificates/issue.sh, and the services from their shipped
/// configurations, started where the test says. They find each other by name.
final class StackOnHosts: Sendable {
    /// Each service and its database role, in the order compose starts them.
    static let services = [
        (name: "model-registry", role: "model_registry"), (name: "monitoring", role: "monitoring"),
        (name: "retraining-gate", role: "retraining_gate"),
    ]

    let network: HostNetwork
    let postgres: TemporaryPostgres
    let folder: String
    let certificates: String
    private let passwords: [String: String]

    /// The network (with `hosts` beside `postgres` and `caller`, and `aliases`:
    /// a name for several hosts), the database and the certificates.
    init(hosts: [String], aliases: [String: [String]] = [:]) throws {
        network = try HostNetwork(hosts: ["postgres", "caller"] + hosts, aliases: aliases)
        do {
            postgres = try TemporaryPostgres.start(on: "postgres", of: network)
        } catch {
            network.remove()
            throw error
        }
        folder = NSTemporaryDirectory() + "mlops-hosts-\(UUID().uuidString.prefix(8))"
        certificates = folder + "/tls"
        passwords = Dictionary(uniqueKeysWithValues: Self.services.map { ($0.role, "\($0.role)-\(UUID())") })
        do {
            try prepare()
        } catch {
            remove()
            throw error
        }
    }

    private func prepare() throws {
        // The database and compose's roles; from the other hosts only with a password.
        try PostgresConnection(configuration: postgres.configuration()).query("CREATE DATABASE mlops")
        try ChildProcess.output(
            repository + "/compose/postgres/roles.sh",
            [],
            environment: [
                "PGHOST": postgres.socketFolder, "PGPORT": String(postgres.port), "POSTGRES_USER": postgres.user,
                "POSTGRES_DB": "mlops", "MODEL_REGISTRY_DB_PASSWORD": passwords["model_registry"]!,
                "MONITORING_DB_PASSWORD": passwords["monitoring"]!,
                "RETRAINING_GATE_DB_PASSWORD": passwords["retraining_gate"]!,
            ]
        )
        let subnet = network.address(of: "postgres").split(separator: ".").dropLast().joined(separator: ".")
        try postgres.allowClients("host mlops all \(subnet).0/24 scram-sha-256")
        try ChildProcess.output(
            repository + "/compose/certificates/issue.sh",
            [certificates] + Self.services.map(\.name) + ["admin", "trainer"]
        )
        try UnprivilegedUser.own(folder)  // the services' keys, and where monitoring writes its artifacts
    }

    /// Starts `service` on `host` and returns once it answers from `caller`.
    func start(_ service: String, on host: String? = nil) async throws -> ServiceProcess {
        let role = Self.services.first { $0.name == service }!.role
        let process = try ServiceProcess(
            service,
            [
                "--config", repository + "/services/\(service)/config.json",
                "--tls-certificate", "\(certificates)/\(service).pem",
                "--tls-key", "\(certificates)/\(service).key", "--tls-ca", "\(certificates)/ca.pem",
            ] + (service == "monitoring" ? ["--artifacts-directory", folder + "/artifacts"] : []),
            environment: [
                "POSTGRES_HOST": "postgres", "POSTGRES_PORT": String(postgres.port), "POSTGRES_USER": role,
                "POSTGRES_PASSWORD": passwords[role]!, "MLOPS_DB_NAME": "mlops", "POSTGRES_SSLMODE": "disable",
            ],
            launcher: network.launcher(on: host ?? service)
        )
        try await waitUntilServing(service, process)
        return process
    }

    /// mlopsctl on the caller's host, as `identity`; its exit status and output.
    func mlopsctl(_ arguments: [String], as identity: String = "admin") async throws -> (Int32, String) {
        try await SystemTests.mlopsctl(
            arguments,
            environment: environment(identity),
            launcher: network.launcher(on: "caller")
        )
    }

    /// What mlopsctl on the caller's host needs: the services by name, and `identity`'s certificate.
    func environment(_ identity: String) -> [String: String] {
        [
            "MLOPS_REGISTRY_ADDRESS": "model-registry:7001", "MLOPS_MONITORING_ADDRESS": "monitoring:7002",
            "MLOPS_GATE_ADDRESS": "retraining-gate:7003", "MLOPS_TLS_CA": certificates + "/ca.pem",
            "MLOPS_TLS_CERT": "\(certificates)/\(identity).pem", "MLOPS_TLS_KEY": "\(certificates)/\(identity).key",
        ]
    }

    /// Polls a read of `service` from the caller's host until it answers.
    private func waitUntilServing(_ service: String, _ process: ServiceProcess) async throws {
        let read =
            switch service {
            case "model-registry": ["registry", "search-models"]
            case "monitoring": ["monitoring", "context", "nothing-yet"]
            default: ["gate", "policy"]
            }
        let deadline = ContinuousClock.now + .seconds(60)
        var output = ""
        while ContinuousClock.now < deadline, await process.exitStatus(waitingUpTo: .zero) == nil {
            let status: Int32
            (status, output) = try await mlopsctl(read)
            if status == 0 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("\(service) did not start serving: \(output)\n\(process.log)")
        throw CancellationError()
    }

    func remove() {
        postgres.stop()
        network.remove()
        try? FileManager.default.removeItem(atPath: folder)
    }
}
