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
    @Test func theGatePromotesThroughTheRegistryWithMonitoringsContextEachOnItsOwnHost() async throws {
        let stack = try StackOnHosts(hosts: StackOnHosts.services.map(\.name))
        defer { stack.remove() }
        let (network, folder) = (stack.network, stack.folder)
        var running: [ServiceProcess] = []  // each killed when released, should the test end early
        // One at a time, as compose starts them: the gate once its peers serve.
        for (service, _) in StackOnHosts.services { running.append(try await stack.start(service)) }

        let model = "across-hosts"
        func call(_ arguments: [String], as identity: String = "admin") async throws -> String {
            let (status, output) = try await stack.mlopsctl(arguments, as: identity)
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
        let byAddress = try await stack.mlopsctl(
            ["registry", "latest", model, "--address", "\(network.address(of: "model-registry")):7001"]
        )
        #expect(byAddress.0 == 1 && byAddress.1.lowercased().contains("certificate"), "\(byAddress.1)")

        for process in running { process.signal(SIGTERM) }
        for (process, service) in zip(running, StackOnHosts.services) {
            #expect(await process.exitStatus(waitingUpTo: .seconds(20)) == 0, "\(service.name): \(process.log)")
        }
    }
}
