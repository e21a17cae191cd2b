import Foundation
import MLOpsProcess
import MLOpsTestSupport
import Testing

/// Three registry replicas, each on a host of its own, behind one name with
/// three addresses (as a Kubernetes headless service gives): one client on
/// another host spreads its calls over them; it and the gate lose no call
/// when one stops under load; the client calls it again once it is back.
/// Each replica's own metrics say how many calls it answered.
@Suite(
    "Registry replicas across hosts, behind one name",
    .enabled(if: HostNetwork.isAvailable, "needs root and iproute2")
)
struct ReplicasAcrossHostsTests {
    private static let replicas = ["registry-1", "registry-2", "registry-3"]
    private static let counted = "/mlops.v1.ModelRegistry/GetLatestVersions"

    @Test func callsByOneNameSpreadAndSurviveAReplicaStopping() async throws {
        let stack = try StackOnHosts(
            hosts: Self.replicas + ["monitoring", "retraining-gate"],
            aliases: ["model-registry": Self.replicas]
        )
        defer { stack.remove() }
        var registries: [ServiceProcess] = []
        for host in Self.replicas { registries.append(try await stack.start("model-registry", on: host)) }
        let peers = [try await stack.start("monitoring"), try await stack.start("retraining-gate")]

        let model = "replicated"
        for arguments in [
            ["registry", "create-model", model], ["registry", "create-version", model, "--source", "s3://m"],
            ["registry", "create-version", model, "--source", "s3://m"],
            ["registry", "transition", model, "1", "Production"],
        ] {
            let (status, output) = try await stack.mlopsctl(arguments)
            try #require(status == 0, "\(arguments): \(output)")
        }
        var samples = "label,candidate,production\n"
        for index in 0..<300 { samples += "\(index % 2),\(index % 2 == 1 ? 0.9 : 0.1),0.6\n" }
        let samplesFile = stack.folder + "/samples.csv"
        try samples.write(toFile: samplesFile, atomically: true, encoding: .utf8)
        @Sendable func loadTest(_ command: String, seconds: Int) async throws -> (
            calls: Int, errors: Int, output: String
        ) {
            let arguments =
                command == "gate"
                ? ["bench", "gate-evaluate", model, "--candidate", "2", "--samples-file", samplesFile]
                : ["bench", "registry-latest", model]
            let (_, output) = try await stack.mlopsctl(
                arguments + ["--concurrency", "32", "--duration", "\(seconds)s", "--json"]
            )
            let json = output.firstIndex(of: "{").flatMap { start in
                output.lastIndex(of: "}").map { output[start...$0] }
            }
            let result = (try? JSONSerialization.jsonObject(with: Data((json ?? "").utf8))) as? [String: Any] ?? [:]
            let (succeeded, failed) = (result["succeeded"] as? Int ?? 0, result["failed"] as? Int ?? -1)
            // Cut off at the end of the run is as bad as failed here: every call must be answered.
            return (succeeded + max(failed, 0), failed + (result["unfinished"] as? Int ?? 0), output)
        }

        // One client (mlopsctl on the caller's host) reading by the name: its calls spread over the three.
        let before = try answered(stack)
        let spread = try await loadTest("registry", seconds: 4)
        #expect(spread.calls >= 3000 && spread.errors == 0, "\(spread.output)")
        let counts = zip(try answered(stack), before).map { $0 - $1 }
        #expect(counts.reduce(0, +) == spread.calls, "every call answered once: \(counts)")
        for (replica, count) in counts.enumerated() {
            let share = Double(count) / Double(max(spread.calls, 1))
            #expect((0.2...0.47).contains(share), "\(Self.replicas[replica]) answered \(count) of \(spread.calls)")
        }

        // One replica stops (SIGTERM: it drains) under the load of a client and of the gate,
        // whose registry calls go by the same name: no call fails.
        async let registryUnderStop = loadTest("registry", seconds: 6)
        async let gateUnderStop = loadTest("gate", seconds: 6)
        try await Task.sleep(for: .seconds(2))
        registries[1].signal(SIGTERM)
        #expect(await registries[1].exitStatus(waitingUpTo: .seconds(20)) == 0, "\(registries[1].log)")
        for stopped in [try await registryUnderStop, try await gateUnderStop] {
            #expect(stopped.calls > 0 && stopped.errors == 0, "\(stopped.output)")
        }

        // Back on its host, it answers again.
        registries[1] = try await stack.start("model-registry", on: Self.replicas[1])
        let returned = try await loadTest("registry", seconds: 3)
        #expect(returned.errors == 0, "\(returned.output)")
        let back = try answered(stack)[1]
        #expect(
            Double(back) >= 0.1 * Double(returned.calls),
            "the returned replica answered \(back) of \(returned.calls)"
        )
        _ = peers
    }

    /// Each replica's count of answered `GetLatestVersions` calls, read from its metrics on its own host.
    private func answered(_ stack: StackOnHosts) throws -> [Int] {
        try Self.replicas.map { host in
            let launcher = stack.network.launcher(on: host)
            let text = try ChildProcess.output(
                launcher[0],
                Array(launcher.dropFirst()) + [
                    "python3", "-c",
                    "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9101/metrics').read().decode())",
                ]
            )
            let prefix = #"rpc_server_requests_total{method="\#(Self.counted)",code="OK"}"#
            let line = text.split(separator: "\n").first { $0.hasPrefix(prefix) }
            return line.flatMap { Int(Double($0.split(separator: " ").last!) ?? 0) } ?? 0
        }
    }
}
