import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsProcess
import MLOpsRPC
import MLOpsTLS
import MLOpsTLSTransport

/// The local stack `mlopsctl dev` runs, all under one folder: a PostgreSQL
/// cluster (kept between runs), a development CA with a certificate per
/// service and per client identity, the three services, their logs, and
/// `state.json` saying what runs where.
struct DevStack {
    struct Service {
        var name: String
        /// The database role that owns its tables and nothing else.
        var role: String
        var rpcService: String
        var offset: Int
    }

    static let services = [
        Service(name: "model-registry", role: "model_registry", rpcService: "mlops.v1.ModelRegistry", offset: 0),
        Service(name: "monitoring", role: "monitoring", rpcService: "mlops.v1.Monitoring", offset: 1),
        Service(name: "retraining-gate", role: "retraining_gate", rpcService: "mlops.v1.RetrainingGate", offset: 2),
    ]
    static var registry: Service { services[0] }
    static var monitoring: Service { services[1] }
    static var gate: Service { services[2] }
    static let clients = ["admin", "trainer", "serving"]
    static let database = "mlops"

    /// A server the stack did not start.
    enum ExternalDatabase: Codable, Equatable {
        case url(String)
        /// The seed's POSTGRES_* variables, as the services read them.
        case environment
    }

    struct State: Codable {
        var basePort: Int
        var pids: [String: Int32] = [:]
        var postgresPort: Int
        var externalDatabase: ExternalDatabase?

        func port(_ service: Service) -> Int { basePort + service.offset }
        func metricsPort(_ service: Service) -> Int { basePort + 2100 + service.offset }
    }

    let folder: URL
    var state: State

    var certificates: URL { folder.appendingPathComponent("certs") }
    var logs: URL { folder.appendingPathComponent("logs") }
    var dataDirectory: String { folder.appendingPathComponent("postgres/data").path }
    var socketFolder: String { folder.appendingPathComponent("postgres").path }
    var stateFile: URL { folder.appendingPathComponent("state.json") }

    /// The folder's stack as last saved, or a new one on `basePort`.
    init(folder: String, basePort: Int) throws {
        self.folder = URL(fileURLWithPath: folder).standardizedFileURL
        if let data = FileManager.default.contents(atPath: self.folder.appendingPathComponent("state.json").path) {
            state = try JSONDecoder().decode(State.self, from: data)
        } else {
            state = State(basePort: basePort, postgresPort: basePort + 18_439)
        }
    }

    func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(state).write(to: stateFile)
    }

    // MARK: PostgreSQL

    /// A cluster in the folder, started if it is not running, with the
    /// database and one role per service that may create tables in it.
    mutating func startPostgres() throws {
        try FileManager.default.createDirectory(atPath: socketFolder, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            try PostgresTools.giveToPostgres(socketFolder)
            try PostgresTools.run("initdb", ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        }
        if (try? PostgresTools.run("pg_ctl", ["-D", dataDirectory, "status"])) == nil {
            let options = "-p \(state.postgresPort) -k \(socketFolder) -c listen_addresses=''"
            try PostgresTools.run(
                "pg_ctl",
                ["-D", dataDirectory, "-l", socketFolder + "/server.log", "-o", options, "-w", "start"]
            )
        }
        let exists = try psql("postgres", "SELECT 1 FROM pg_database WHERE datname = '\(Self.database)'")
        if !exists.contains("1") { try psql("postgres", "CREATE DATABASE \(Self.database)") }
        let roles = Self.services.map(\.role)
        for role in roles {
            try psql(
                "postgres",
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(role)') THEN CREATE ROLE \(role) LOGIN; END IF; END $$"
            )
        }
        // Each service creates (and so owns) its own tables; none may read another's.
        try psql(
            Self.database,
            "REVOKE ALL ON SCHEMA public FROM PUBLIC; GRANT USAGE, CREATE ON SCHEMA public TO \(roles.joined(separator: ", "))"
        )
    }

    func stopPostgres() throws {
        try PostgresTools.run("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
    }

    @discardableResult
    func psql(_ database: String, _ sql: String, as user: String = "postgres") throws -> String {
        try ChildProcess.output(
            "/usr/bin/psql",
            [
                "-X", "-q", "-t", "-A", "-h", socketFolder, "-p", String(state.postgresPort), "-U", user, "-d",
                database,
                "-v", "ON_ERROR_STOP=1", "-c", sql,
            ]
        )
    }

    // MARK: certificates

    /// A CA and a certificate per service and client identity (CN = the
    /// name; SANs localhost and 127.0.0.1), made once and kept.
    func issueCertificates() throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: certificates, withIntermediateDirectories: true)
        let ca = certificates.appendingPathComponent("ca").path
        if !fileManager.fileExists(atPath: ca + ".pem") {
            try ChildProcess.output(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", ca + ".key", "-out", ca + ".pem", "-days", "365", "-subj", "/CN=mlops-dev-ca",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
                ]
            )
        }
        for name in Self.services.map(\.name) + Self.clients {
            let path = certificates.appendingPathComponent(name).path
            guard !fileManager.fileExists(atPath: path + ".pem") else { continue }
            try ChildProcess.output(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path + ".key", "-out", path + ".pem",
                    "-days", "365", "-subj", "/CN=\(name)", "-addext", "basicConstraints=CA:FALSE",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-addext", "extendedKeyUsage=serverAuth,clientAuth",
                ]
            )
        }
    }

    func certificate(_ name: String) -> (pem: String, key: String) {
        (
            certificates.appendingPathComponent(name + ".pem").path,
            certificates.appendingPathComponent(name + ".key").path
        )
    }

    var authority: String { certificates.appendingPathComponent("ca.pem").path }

    // MARK: services

    /// Starts each service not already running: its shipped configuration
    /// (from `repository`/services/NAME/config.json) overlaid with loopback
    /// addresses, this folder's certificates and its own database role.
    mutating func startServices(repository: String, executables: String) throws -> [String] {
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        var started: [String] = []
        for service in Self.services {
            if let pid = state.pids[service.name], ChildProcess.isRunning(pid) { continue }
            let (pem, key) = certificate(service.name)
            var arguments = [
                "--host", "127.0.0.1", "--port", String(state.port(service)), "--metrics-host", "127.0.0.1",
                "--metrics-port",
                String(state.metricsPort(service)), "--tls-certificate", pem, "--tls-key", key, "--tls-ca", authority,
            ]
            let config = "\(repository)/services/\(service.name)/config.json"
            if FileManager.default.fileExists(atPath: config) { arguments = ["--config", config] + arguments }
            switch service.name {
            case "monitoring":
                arguments += ["--artifacts-directory", folder.appendingPathComponent("artifacts").path]
            case "retraining-gate":
                arguments += [
                    "--registry-address", "127.0.0.1:\(state.port(Self.registry))",
                    "--monitoring-address", "127.0.0.1:\(state.port(Self.monitoring))",
                ]
            default:
                break
            }
            var environment: [String: String] = [:]
            switch state.externalDatabase {
            case .url(let url): arguments += ["--database-url", url]
            case .environment: break
            case nil:
                environment = [
                    "POSTGRES_HOST": socketFolder, "POSTGRES_PORT": String(state.postgresPort),
                    "POSTGRES_USER": service.role, "MLOPS_DB_NAME": Self.database, "POSTGRES_SSLMODE": "disable",
                ]
            }
            state.pids[service.name] = try ChildProcess.spawn(
                "\(executables)/\(service.name)",
                arguments,
                outputPath: logs.appendingPathComponent(service.name + ".log").path,
                environment: environment,
                newSession: true
            )
            started.append(service.name)
        }
        try save()
        return started
    }

    /// Where this stack's services answer on loopback, with this folder's certificates.
    var endpoints: StackEndpoints {
        StackEndpoints(
            addresses: Dictionary(uniqueKeysWithValues: Self.services.map { ($0.name, "127.0.0.1:\(state.port($0))") }),
            certificates: certificates
        )
    }

    /// The variables that point mlopsctl at this stack, as `admin`.
    var environment: [String: String] {
        let (pem, key) = certificate("admin")
        return [
            "MLOPS_REGISTRY_ADDRESS": "127.0.0.1:\(state.port(Self.registry))",
            "MLOPS_MONITORING_ADDRESS": "127.0.0.1:\(state.port(Self.monitoring))",
            "MLOPS_GATE_ADDRESS": "127.0.0.1:\(state.port(Self.gate))",
            "MLOPS_TLS_CA": authority, "MLOPS_TLS_CERT": pem, "MLOPS_TLS_KEY": key,
        ]
    }

    /// The same, as shell lines to `source`.
    var environmentLines: [String] {
        environment.sorted { $0.key < $1.key }.map { "export \($0.key)=\($0.value)" }
    }
}
