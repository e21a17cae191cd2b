import Foundation
import MLOpsMessages
import MLOpsTestSupport
import Testing

@Suite("mlopsctl gate against a real gate, registry and monitoring", .temporaryPostgres)
struct MLOpsCtlGateTests {
    @Test(
        "samples are read strictly: a bad value is named, never truncated or a crash",
        arguments: [
            ("0.5,0.9,0.1", "label '0.5' is not 0 or 1"), ("1.9,0.9,0.1", "label '1.9' is not 0 or 1"),
            ("nan,0.9,0.1", "label 'nan' is not 0 or 1"), ("1e10,0.9,0.1", "label '1e10' is not 0 or 1"),
            ("1,nan,0.1", "candidate 'nan' is not a finite number"),
            ("1,0.9,inf", "production 'inf' is not a finite number"),
        ]
    )
    func badSamples(row: String, problem: String) async throws {
        let path = NSTemporaryDirectory() + "gate-bad-\(UUID().uuidString.prefix(8)).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "label,candidate,production\n1,0.8,0.2\n\(row)\n".write(toFile: path, atomically: true, encoding: .utf8)
        // The file is read before any connection is made: nothing listens at this address.
        let process = try ServiceProcess(
            "mlopsctl",
            ["gate", "evaluate", "m", "--candidate", "2", path, "--address", "127.0.0.1:1", "--dry-run"]
        )
        let status = try #require(await process.exitStatus(waitingUpTo: .seconds(30)))
        #expect(status != 0 && status < 128, "exit \(status): \(process.log)")
        #expect(process.log.contains("line 3: \(problem)"), "\(process.log)")
    }

    @Test func evaluateFromACSVThenReadTheRecord() async throws {
        try await GateStack.with { stack in
            try await stack.registerModel("cli-model")
            let caller = try stack.gate.identityFiles("trainer")
            func mlopsctl(_ arguments: String...) async throws -> (Int32, String) {
                try await mlopsctl(arguments)
            }
            func mlopsctl(_ arguments: [String]) async throws -> (Int32, String) {
                let process = try ServiceProcess(
                    "mlopsctl",
                    arguments,
                    environment: [
                        "MLOPS_GATE_ADDRESS": "127.0.0.1:\(stack.gate.replicas[0].port)",
                        "MLOPS_REGISTRY_ADDRESS": "127.0.0.1:\(stack.registry.replicas[0].port)",
                        "MLOPS_TLS_CA": stack.gate.authority.authorityPath,
                        "MLOPS_TLS_CERT": caller.certificatePath, "MLOPS_TLS_KEY": caller.keyPath,
                    ]
                )
                let status = try #require(await process.exitStatus(waitingUpTo: .seconds(30)))
                return (status, process.log)
            }
            func file(_ samples: EvaluateRequest) throws -> String {
                let path = NSTemporaryDirectory() + "gate-\(UUID().uuidString.prefix(8)).csv"
                let rows = samples.labels.indices.map {
                    "\(samples.labels[$0]),\(samples.candidateProbabilities[$0]),\(samples.productionProbabilities[$0])"
                }
                try (["label,candidate,production"] + rows).joined(separator: "\n").write(
                    toFile: path,
                    atomically: true,
                    encoding: .utf8
                )
                return path
            }
            let csv = try file(scoredSamples(300, candidateSkill: 0.45))

            var (status, output) = try await mlopsctl(
                "gate",
                "evaluate",
                "cli-model",
                "--candidate",
                "2",
                csv,
                "--trigger",
                "drift",
                "--idempotency-key",
                "cli-1"
            )
            #expect(status == 0 && output.contains("PROMOTE cli-model v2 (Production: v1)"), "\(output)")
            #expect(output.contains("min_f1_gain") && output.contains("promotion: applied"), "\(output)")
            (status, output) = try await mlopsctl("gate", "list", "--model", "cli-model", "--json")
            let listed = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
            #expect(listed.count == 1 && listed.first?["action"] as? String == "promote", "\(output)")
            let id = try #require(listed.first?["id"] as? String)
            (status, output) = try await mlopsctl("gate", "show", id)
            #expect(status == 0 && output.contains("decision \(id)"), "\(output)")
            (status, output) = try await mlopsctl("gate", "stats", "--model", "cli-model")
            #expect(status == 0 && output.contains("promote") && output.contains("total"), "\(output)")
            (status, output) = try await mlopsctl("gate", "policy")
            #expect(status == 0 && output.contains("min_labeled_samples") && output.contains("100"), "\(output)")
            // The seed's dashboard queries, answered by the services.
            (status, output) = try await mlopsctl("report", "promotions", "--json")
            let promotions = try #require(
                try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]],
                "\(output)"
            )
            let stages = Dictionary(
                uniqueKeysWithValues: promotions.map { ($0["stage"] as? String ?? "", $0["versions"] as? Int ?? 0) }
            )
            #expect(stages == ["Archived": 1, "None": 1, "Production": 1], "\(output)")
            (status, output) = try await mlopsctl("report", "decision-rate")
            #expect(status == 0 && output.contains("promote") && output.contains("100.0%"), "\(output)")
            // A load test: dry runs log nothing; logged ones log every decision (rejects here, so nothing moves).
            func decisionsLogged() async throws -> Int {
                let (_, output) = try await mlopsctl("gate", "stats", "--model", "cli-model", "--json")
                let stats = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
                return try #require(stats?["total"] as? Int, "\(output)")
            }
            func loadTest(_ samples: String, _ extra: String...) async throws -> [String: Any] {
                let (status, output) = try await mlopsctl(
                    ["bench", "gate-evaluate", "cli-model", "--candidate", "3", "--samples-file", samples]
                        + ["--concurrency", "3", "--json"] + extra
                )
                #expect(status == 0, "\(output)")
                return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            }
            var load = try await loadTest(csv, "--duration", "1s")
            #expect((load["succeeded"] as? Int ?? 0) > 0 && load["failed"] as? Int == 0, "\(load)")
            #expect(try await decisionsLogged() == 1)
            load = try await loadTest(
                try file(scoredSamples(300, candidateSkill: 0)),
                "--duration",
                "500ms",
                "--logged"
            )
            let logged = try #require(load["succeeded"] as? Int)
            #expect(logged > 0 && load["failed"] as? Int == 0 && load["unfinished"] as? Int == 0, "\(load)")
            #expect(try await decisionsLogged() == 1 + logged)
            (status, output) = try await mlopsctl(
                "bench",
                "gate-evaluate",
                "cli-model",
                "--candidate",
                "99",
                "--samples-file",
                csv,
                "--duration",
                "300ms"
            )
            #expect(
                status == 1 && output.contains("no call succeeded") && output.contains("FAILED_PRECONDITION"),
                "\(output)"
            )

            (status, output) = try await mlopsctl("gate", "evaluate", "cli-model", "--candidate", "99", csv)
            #expect(
                status == 1 && output.contains("retraining-gate at") && output.contains("FAILED_PRECONDITION"),
                "\(output)"
            )
        }
    }
}
