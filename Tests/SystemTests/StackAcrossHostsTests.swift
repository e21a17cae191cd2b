import Foundation
import MLOpsPostgres
import MLOpsProcess
import MLOpsTestSupport
import Testing

/// compose/'s stack with each part on a host of its own (network namespaces
/// on one bridge): PostgreSQL, the three services from their shipped
/// configurations, and the caller. They find each other by name, log in to
/// PostgreSQL with the roles and passwords of compose/postgres/roles.sh, and
/// trust the certificates of compose/certificates/issue.sh.
@Suite("The system across hosts", .enabled(if: HostNetwork.isAvailable, "needs root and iproute2"))
struct StackAcrossHostsTests {
    /// Each service and its database role, in the order compose starts them.
    private static let services = [
        (name: "model-registry", role: "model_registry"), (name: "monitoring", role: "monitoring"),
        (name: "retraining-gate", role: "retraining_gate"),
    ]

    @Test func theGatePromotesThroughTheRegistryWithMonitoringsContextEachOnItsOwnHost() async throws {
        let network = try HostNetwork(hosts: ["postgres", "caller"] + Self.services.map(\.name))
        defer { network.remove() }
        let postgres = try TemporaryPostgres.start(on: "postgres", of: network)
        defer { postgres.stop() }
        let folder = NSTemporaryDirectory() + "mlops-hosts-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: folder) }

        // The database and compose's roles; from the other hosts only with a password.
        try PostgresConnection(configuration: postgres.configuration()).query("CREATE DATABASE mlops")
        let passwords = Dictionary(uniqueKeysWithValues: Self.services.map { ($0.role, "\($0.role)-\(UUID())") })
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

        let certificates = folder + "/tls"
        try ChildProcess.output(
            repository + "/compose/certificates/issue.sh",
            [certificates] + Self.services.map(\.name) + ["admin", "trainer"]
        )
        try UnprivilegedUser.own(folder)  // the services' keys, and where monitoring writes its artifacts

        var running: [ServiceProcess] = []  // each killed when released, should the test end early
        // One at a time, as compose starts them: the gate once its peers serve.
        for (service, role) in Self.services {
            running.append(
                try ServiceProcess(
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
                    launcher: network.launcher(on: service)
                )
            )
            try await waitUntilServing(
                service,
                running.last!,
                from: network.launcher(on: "caller"),
                environment: environment(certificates, "admin")
            )
        }

        let model = "across-hosts"
        let caller = network.launcher(on: "caller")
        func call(_ arguments: [String], as identity: String = "admin") async throws -> String {
            let (status, output) = try await mlopsctl(
                arguments,
                environment: environment(certificates, identity),
                launcher: caller
            )
            #expect(status == 0, "mlopsctl \(arguments.joined(separator: " ")): \(output)")
            return output
        }
        // A trainer registers two versions; the first serves.
        _ = try await call(["registry", "create-model", model], as: "trainer")
        for _ in 1...2 {
            _ = try await call(["registry", "create-version", model, "--source", "s3://m"], as: "trainer")
        }
        _ = try await call(["registry", "transition", model, "1", "Production"])

        // Monitoring hears of 300 predictions and all their outcomes.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var predictions = "prediction_id,timestamp,probability,income\n"
        var labels = "prediction_id,label\n"
        var samples = "label,candidate,production\n"
        for index in 0..<300 {
            let label = index % 2
            predictions += "p\(index),\(now - Int64(index) * 1000),0.6,\(40_000 + index)\n"
            labels += "p\(index),\(label)\n"
            samples += "\(label),\(label == 1 ? 0.9 : 0.1),0.6\n"
        }
        for (name, text) in [("predictions", predictions), ("labels", labels), ("samples", samples)] {
            try text.write(toFile: "\(folder)/\(name).csv", atomically: true, encoding: .utf8)
        }
        _ = try await call(["monitoring", "log-predictions", folder + "/predictions.csv", "--model", model])
        _ = try await call(["monitoring", "log-labels", folder + "/labels.csv", "--model", model])

        // The gate judges version 2 (better on every count), asks monitoring on its
        // host for the coverage, and promotes through the registry on another.
        let decision = try await call(["gate", "evaluate", model, "--candidate", "2", folder + "/samples.csv"])
        #expect(decision.contains("PROMOTE \(model) v2 (Production: v1)"), "\(decision)")
        #expect(decision.contains("promotion: applied"), "\(decision)")
        #expect(decision.contains("monitoring: 300 predictions, 300 labelled"), "from monitoring's host: \(decision)")
        let latest = try await call(["registry", "latest", model, "--stage", "Production", "--json"])
        let versions = try JSONSerialization.jsonObject(with: Data(latest.utf8)) as? [[String: Any]]
        #expect(versions?.count == 1 && versions?.first?["version"] as? Int == 2, "\(latest)")
        #expect(versions?.first?["promoted_by"] as? String == "retraining-gate", "the gate moved it, as itself")

        // By its address instead of its name, the registry's certificate does not match: refused.
        let byAddress = try await mlopsctl(
            ["registry", "latest", model, "--address", "\(network.address(of: "model-registry")):7001"],
            environment: environment(certificates, "admin"),
            launcher: caller
        )
        #expect(byAddress.0 == 1 && byAddress.1.lowercased().contains("certificate"), "\(byAddress.1)")

        for process in running { process.signal(SIGTERM) }
        for (process, service) in zip(running, Self.services) {
            #expect(await process.exitStatus(waitingUpTo: .seconds(20)) == 0, "\(service.name): \(process.log)")
        }
    }

    /// What mlopsctl on the caller's host needs: the services by name, and `identity`'s certificate.
    private func environment(_ certificates: String, _ identity: String) -> [String: String] {
        [
            "MLOPS_REGISTRY_ADDRESS": "model-registry:7001", "MLOPS_MONITORING_ADDRESS": "monitoring:7002",
            "MLOPS_GATE_ADDRESS": "retraining-gate:7003", "MLOPS_TLS_CA": certificates + "/ca.pem",
            "MLOPS_TLS_CERT": "\(certificates)/\(identity).pem", "MLOPS_TLS_KEY": "\(certificates)/\(identity).key",
        ]
    }

    /// Polls a read of `service` through `launcher` (from another host) until it answers.
    private func waitUntilServing(
        _ service: String,
        _ process: ServiceProcess,
        from launcher: [String],
        environment: [String: String]
    ) async throws {
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
            (status, output) = try await mlopsctl(read, environment: environment, launcher: launcher)
            if status == 0 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("\(service) did not start serving: \(output)\n\(process.log)")
        throw CancellationError()
    }
}
