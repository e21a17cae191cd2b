import Foundation
import MLOpsPostgres
import MLOpsProcess
import MLOpsServiceConfiguration
import MLOpsTestSupport
import Testing

/// `compose/`: no Docker engine runs here, so the stack file is checked
/// against the services' own configurations, and the two scripts it runs
/// (the certificate authority and PostgreSQL's roles) are run for real.
@Suite("The container stack", .temporaryPostgres)
struct ComposeStackTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private static let services = ["model-registry", "monitoring", "retraining-gate"]

    /// compose.yaml as JSON objects (YAML anchors and merge keys resolved by PyYAML).
    private func stack() throws -> [String: Any] {
        let json = try ChildProcess.output(
            "/usr/bin/python3",
            [
                "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
                Self.root.appendingPathComponent("compose/compose.yaml").path,
            ]
        )
        return try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    private func settings(_ service: String) throws -> ServiceSettings {
        let path = Self.root.appendingPathComponent("services/\(service)/config.json").path
        return try ServiceSettings.load(ServiceSettings.self, from: path)
    }

    @Test func everyServiceRunsFromItsImageWithItsConfigurationsPortsAndItsOwnRole() throws {
        let folders = try FileManager.default.contentsOfDirectory(
            atPath: Self.root.appendingPathComponent("services").path
        )
        #expect(folders.sorted() == Self.services.sorted())
        let composed = try #require(try stack()["services"] as? [String: [String: Any]])
        let postgres = try #require(composed["postgres"]?["environment"] as? [String: String])
        let rolesScript = try String(
            contentsOf: Self.root.appendingPathComponent("compose/postgres/roles.sh"),
            encoding: .utf8
        )
        var roles: Set<String> = []
        for name in Self.services {
            let service = try #require(composed[name], "\(name) is not in compose.yaml")
            let settings = try settings(name)
            let build = service["build"] as? [String: String]
            #expect(build?["context"] == ".." && build?["dockerfile"] == "services/\(name)/Dockerfile")
            // Named, so `up --no-build` runs the images scripts/build-images.sh made.
            #expect(service["image"] as? String == "mlops/\(name):${MLOPS_VERSION:-latest}")
            // Compose's default 10 s would kill a service still draining its calls.
            let grace = try #require(service["stop_grace_period"] as? String)
            #expect(Double(grace.dropLast()).map { $0 > settings.shutdownGraceSeconds } == true, "\(name): \(grace)")
            #expect(service["read_only"] as? Bool == true && service["cap_drop"] as? [String] == ["ALL"])

            let ports = service["ports"] as? [String] ?? []
            #expect(ports.contains("\(settings.listen.port):\(settings.listen.port)"), "\(name): \(ports)")
            #expect(ports.contains("127.0.0.1:\(settings.metrics.port):\(settings.metrics.port)"), "\(name): \(ports)")
            // The health check is the service's own health RPC, with the configuration its image ships.
            let health = (service["healthcheck"] as? [String: Any])?["test"] as? [String] ?? []
            #expect(
                health == ["CMD", "/usr/local/bin/\(name)", "--config", "/etc/mlops/\(name).json", "--health-check"],
                "\(name)"
            )
            let dockerfile = try String(
                contentsOf: Self.root.appendingPathComponent("services/\(name)/Dockerfile"),
                encoding: .utf8
            )
            #expect(dockerfile.contains("COPY services/\(name)/config.json /etc/mlops/\(name).json"))

            // The TLS files the configuration names are in the certificates' volume.
            let volumes = service["volumes"] as? [String] ?? []
            for file in [settings.tls.certificate, settings.tls.key, settings.tls.ca] {
                let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
                #expect(volumes.contains("tls:\(folder):ro"), "\(name): \(file)")
            }

            let environment = try #require(service["environment"] as? [String: String])
            #expect(environment["POSTGRES_HOST"] == "postgres" && environment["POSTGRES_PORT"] == "5432")
            #expect(environment["MLOPS_DB_NAME"] == postgres["POSTGRES_DB"])
            let role = try #require(environment["POSTGRES_USER"])
            roles.insert(role)
            // The service logs in with the password its role was given.
            let password = "\(role.uppercased())_DB_PASSWORD"
            #expect(environment["POSTGRES_PASSWORD"]?.hasPrefix("${\(password):?") == true, "\(name)")
            #expect(postgres[password]?.hasPrefix("${\(password):?") == true, "\(name)")
            #expect(rolesScript.contains("\"$\(password)\""), "\(name)")
            let dependencies = service["depends_on"] as? [String: [String: String]]
            #expect(dependencies?["postgres"]?["condition"] == "service_healthy")
            #expect(dependencies?["certificates"]?["condition"] == "service_completed_successfully")
        }
        #expect(roles.count == Self.services.count, "one role per service")
        for role in roles { #expect(rolesScript.contains("CREATE ROLE \(role) LOGIN PASSWORD")) }
    }

    /// One runtime stage, word for word, so the three images share its layers;
    /// and both ways of building end in it.
    @Test func theThreeImagesShareOneRuntimeStage() throws {
        var stages: Set<String> = []
        for name in Self.services {
            let dockerfile = try String(
                contentsOf: Self.root.appendingPathComponent("services/\(name)/Dockerfile"),
                encoding: .utf8
            )
            let start = try #require(dockerfile.range(of: "FROM debian:bookworm-slim AS runtime\n"))
            let end = dockerfile[start.upperBound...].range(of: "\nFROM ")?.lowerBound ?? dockerfile.endIndex
            stages.insert(String(dockerfile[start.lowerBound..<end]))
            #expect(dockerfile.contains("FROM runtime AS service\n"))
            #expect(dockerfile.contains("FROM service AS prebuilt\nCOPY .build-images/bin/\(name) "))
            #expect(dockerfile.contains("FROM service AS release\nCOPY --from=build /out/\(name) "))
            #expect(dockerfile.contains("USER 10001:10001"), "\(name) runs as a numeric non-root user")
        }
        #expect(stages.count == 1)
    }

    @Test func theGateReachesItsPeersByTheNamesTheirCertificatesCarry() throws {
        struct Peer: Decodable {
            var address: String
            var serverName: String
        }
        struct Peers: Decodable {
            var registry: Peer
            var monitoring: Peer
        }
        let path = Self.root.appendingPathComponent("services/retraining-gate/config.json").path
        let peers = try ServiceSettings.load(Peers.self, from: path)
        let composed = try #require(try stack()["services"] as? [String: [String: Any]])
        let gateDependencies = composed["retraining-gate"]?["depends_on"] as? [String: [String: String]]
        for (peer, service) in [(peers.registry, "model-registry"), (peers.monitoring, "monitoring")] {
            #expect(peer.address == "\(service):\(try settings(service).listen.port)")
            #expect(peer.serverName == service)
            #expect(gateDependencies?[service]?["condition"] == "service_healthy")
        }
        // The CA issues a certificate (CN and DNS name) for every service and each client identity.
        let dockerfile = try String(
            contentsOf: Self.root.appendingPathComponent("compose/certificates/Dockerfile"),
            encoding: .utf8
        )
        let command = try #require(dockerfile.split(separator: "\n").first { $0.hasPrefix("CMD ") }?.dropFirst(4))
        let issued = try #require(try JSONSerialization.jsonObject(with: Data(command.utf8)) as? [String])
        #expect(Set(issued) == Set(Self.services + ["admin", "trainer", "serving"]))
    }

    @Test func theCertificateAuthorityNamesEachServiceAndKeepsWhatItIssued() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("compose-tls-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let issue = Self.root.appendingPathComponent("compose/certificates/issue.sh").path
        _ = try ChildProcess.output(issue, [folder, "model-registry", "admin"])

        let verify = { (name: String, host: String) in
            try ChildProcess.output(
                "/usr/bin/openssl",
                ["verify", "-CAfile", folder + "/ca.pem", "-verify_hostname", host, folder + "/\(name).pem"]
            )
        }
        #expect(try verify("model-registry", "model-registry").contains("OK"))
        #expect(throws: CommandFailed.self) { try verify("model-registry", "monitoring") }
        let key = try FileManager.default.attributesOfItem(atPath: folder + "/model-registry.key")
        #expect((key[.posixPermissions] as? Int) == 0o400)
        if getuid() == 0 {
            #expect((key[.ownerAccountID] as? Int) == 10001)
            let caKey = try FileManager.default.attributesOfItem(atPath: folder + "/ca.key")
            #expect((caKey[.ownerAccountID] as? Int) == 0, "the services cannot read the CA's key")
        }

        // Run again (the stack restarted): the CA, and so every caller's certificate, stays.
        let ca = try Data(contentsOf: URL(fileURLWithPath: folder + "/ca.pem"))
        #expect(try ChildProcess.output(issue, [folder, "model-registry", "admin"]).contains("keeping"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/ca.pem")) == ca)
    }

    @Test func theRolesScriptLetsEachServiceTouchOnlyItsOwnTables() throws {
        let database = try #require(TestDatabase.current)
        let roles = ["model_registry", "monitoring", "retraining_gate"]
        let superuser = try PostgresConnection(configuration: database.configuration)
        defer {
            // Roles are the cluster's, not the database's: leave none behind.
            _ = try? superuser.query("DROP OWNED BY model_registry, monitoring, retraining_gate, outsider")
            for role in roles + ["outsider"] { _ = try? superuser.query("DROP ROLE IF EXISTS \(identifier: role)") }
        }
        _ = try ChildProcess.output(
            Self.root.appendingPathComponent("compose/postgres/roles.sh").path,
            [],
            environment: [
                "PGHOST": database.cluster.socketFolder, "PGPORT": String(database.cluster.port),
                "POSTGRES_USER": database.cluster.user, "POSTGRES_DB": database.name,
                "MODEL_REGISTRY_DB_PASSWORD": "r'1", "MONITORING_DB_PASSWORD": "m2",
                "RETRAINING_GATE_DB_PASSWORD": "g3",
            ]
        )
        let withPasswords = try superuser.query(
            "SELECT count(*) FROM pg_authid WHERE rolname = ANY(\(roles)::text[]) AND rolcanlogin AND rolpassword IS NOT NULL"
        )
        #expect(try withPasswords.value(Int.self, row: 0, column: 0) == 3)
        try superuser.query("CREATE ROLE outsider LOGIN")

        func connect(_ role: String) throws -> PostgresConnection {
            var configuration = database.configuration
            configuration.user = role
            return try PostgresConnection(configuration: configuration)
        }
        for role in roles {
            let connection = try connect(role)
            try connection.query("CREATE TABLE \(identifier: role + "_own") (x int)")
            try connection.query("INSERT INTO \(identifier: role + "_own") VALUES (1)")
        }
        for role in roles + ["outsider"] {
            let connection = try connect(role)
            for owner in roles where owner != role {
                #expect(throws: PostgresError.self, "\(role) reads \(owner)'s table") {
                    try connection.query("SELECT x FROM \(identifier: owner + "_own")")
                }
            }
        }
        #expect(throws: PostgresError.self, "a role the script did not name creates tables") {
            try connect("outsider").query("CREATE TABLE intruder (x int)")
        }
        let outsiderUses = try superuser.query("SELECT has_schema_privilege('outsider', 'public', 'USAGE')")
        #expect(outsiderUses.text(row: 0, column: 0) == "f", "others may not even look into the schema")
    }
}
