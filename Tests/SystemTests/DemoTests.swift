import Foundation
import MLOpsPostgres
import MLOpsProcess
import MLOpsTestSupport
import Testing

// One stack at a time: each starts a PostgreSQL cluster and three services, a heavy load on two cores.
@Suite("mlopsctl demo: the scenario end to end on a stack of mlopsctl dev", .serialized)
struct DemoTests {
    @Test func theDemoDoesWhatItSaysAndLeavesItInEachServicesTables() async throws {
        let (folder, base, location) = try devLocation()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var (status, output) = try await mlopsctl(["dev", "up", "--repository", repository] + location)
        #expect(status == 0, "\(output)")
        let pids = try Self.processes(folder)
        #expect(pids.count == 4, "three services and PostgreSQL: \(pids)")
        do {
            // A second `dev up` finds everything running and changes nothing.
            (status, output) = try await mlopsctl(["dev", "up", "--repository", repository] + location)
            #expect(status == 0 && output.contains("services already running"), "\(output)")
            #expect(try Self.processes(folder) == pids)

            (status, output) = try await mlopsctl(["demo"] + location)
            #expect(status == 0 && output.contains("All 12 expected outcomes happened."), "\(output)")
            #expect(!output.contains("✗"), "\(output)")

            let superuser = PostgresConfiguration(
                host: folder + "/postgres",
                port: base + 18_439,
                user: "postgres",
                database: "mlops",
                sslMode: "disable",
                applicationName: "demo-test"
            )
            let database = try PostgresConnection(configuration: superuser)
            let model = "credit-risk-model"
            // model-registry: stages, and the promotion's history row naming the gate's decision.
            let stages = try database.query(
                "SELECT version, stage FROM model_versions WHERE model_name = \(model) ORDER BY version"
            )
            #expect((0..<stages.count).map { stages.text(row: $0, column: 1) } == ["Archived", "Production", "None"])
            let promotion = try database.query(
                """
                SELECT changed_by, decision_id FROM v_model_timeline
                WHERE model_name = \(model) AND model_version = '2' AND to_stage = 'Production'
                """
            )
            #expect(promotion.count == 1 && promotion.text(row: 0, column: 0) == "retraining-gate")
            let decisionID = try #require(promotion.text(row: 0, column: 1))

            // monitoring: the day's predictions and labels, 24 hourly windows, drift in the last 6.
            let predictions = try database.query(
                "SELECT count(*), count(label) FROM predictions WHERE model_name = \(model)"
            )
            #expect(try predictions.value(Int64.self, row: 0, column: 0) == 24_000)
            let labelled = try #require(try predictions.value(Int64.self, row: 0, column: 1))
            #expect((14_000...18_000).contains(labelled))
            let windows = try database.query(
                """
                SELECT count(*), count(*) FILTER (WHERE dataset_drift_detected), min(reference_id::text)
                FROM monitoring_metrics WHERE model_name = \(model) AND lookback_hours = 1
                """
            )
            #expect(try windows.value(Int64.self, row: 0, column: 0) == 24)
            #expect(try windows.value(Int64.self, row: 0, column: 1) == 6)
            #expect(windows.text(row: 0, column: 2) != nil)

            // retraining-gate: v2 promoted (the same decision the registry names), v3 rejected with reasons.
            let decisions = try database.query(
                """
                SELECT candidate_version, action, promotion_state, id::text, decision_details::text
                FROM retraining_decisions WHERE model_name = \(model) ORDER BY candidate_version
                """
            )
            try #require(decisions.count == 2)
            #expect(decisions.text(row: 0, column: 1) == "promote" && decisions.text(row: 0, column: 2) == "applied")
            #expect(decisions.text(row: 0, column: 3) == decisionID)
            #expect(decisions.text(row: 1, column: 1) == "reject")
            #expect(decisions.text(row: 1, column: 4)?.contains("min_f1_gain") == true)

            // The report, fetched through the service, is the HTML with a chart per feature.
            let report = try String(
                contentsOfFile: folder + "/demo/credit-risk-model-drift-report.html",
                encoding: .utf8
            )
            #expect(report.contains("<svg") && report.contains("debt_to_income"))
            #expect(output.contains(folder + "/demo/credit-risk-model-drift-report.html"))

            // Each service's role reads its own tables and none of the others'.
            let tables = [
                "model_registry": "model_versions", "monitoring": "predictions",
                "retraining_gate": "retraining_decisions",
            ]
            for (role, own) in tables {
                var configuration = superuser
                configuration.user = role
                let connection = try PostgresConnection(configuration: configuration)
                #expect(try connection.query("SELECT count(*) FROM \(identifier: own)").count == 1)
                for (_, other) in tables where other != own {
                    #expect(throws: PostgresError.self, "\(role) reads \(other)") {
                        try connection.query("SELECT count(*) FROM \(identifier: other)")
                    }
                }
            }

            try await benchAgainstTheStack(folder: folder, base: base, model: model, database: database)

            // Again on the same stack: refused, saying how to start clean.
            (status, output) = try await mlopsctl(["demo"] + location)
            #expect(status == 1 && output.contains("dev up --reset"), "\(output)")
        } catch {
            _ = try? await mlopsctl(["dev", "down"] + location)
            throw error
        }

        // `dev down` leaves no process behind: the services and PostgreSQL are gone.
        (status, output) = try await mlopsctl(["dev", "down"] + location)
        #expect(status == 0, "\(output)")
        for pid in pids { #expect(!ChildProcess.isRunning(pid), "process \(pid) still runs") }
    }

    @Test func anExpectedOutcomeThatDoesNotHappenIsAFailure() async throws {
        // A stricter gate than the shipped one: v2's F1 gain (about 0.08) no longer suffices.
        let strict = NSTemporaryDirectory() + "mlops-repository-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: strict) }
        for service in ["model-registry", "monitoring", "retraining-gate"] {
            let folder = "\(strict)/services/\(service)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var config = try String(contentsOfFile: "\(repository)/services/\(service)/config.json", encoding: .utf8)
            config = config.replacingOccurrences(of: "\"minF1Gain\": 0.01", with: "\"minF1Gain\": 0.5")
            try config.write(toFile: folder + "/config.json", atomically: true, encoding: .utf8)
        }
        let (folder, _, location) = try devLocation()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var (status, output) = try await mlopsctl(["dev", "up", "--repository", strict] + location)
        #expect(status == 0, "\(output)")
        (status, output) = try await mlopsctl(["demo"] + location)
        #expect(status == 1, "\(output)")
        #expect(output.contains("✗ the gate promotes v2") && output.contains("expected outcomes did not happen"))
        (status, output) = try await mlopsctl(["dev", "down", "--reset"] + location)
        #expect(status == 0, "\(output)")
    }

    /// `mlopsctl bench` against the demo's stack: dry runs log no decision,
    /// `--json` holds every field, and `--slo` sets the exit status.
    private func benchAgainstTheStack(
        folder: String,
        base: Int,
        model: String,
        database: PostgresConnection
    ) async throws {
        // The variables `source .mlops-dev/env` would set.
        let lines = try String(contentsOfFile: folder + "/env", encoding: .utf8).split(separator: "\n")
        let environment = Dictionary(
            uniqueKeysWithValues: lines.compactMap { line -> (String, String)? in
                let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1).map(String.init)
                return pair.count == 2 ? (pair[0], pair[1]) : nil
            }
        )
        func decisions() throws -> Int64? {
            try database.query("SELECT count(*) FROM retraining_decisions").value(Int64.self, row: 0, column: 0)
        }
        let before = try decisions()
        var (status, output) = try await mlopsctl(
            ["bench", "gate-evaluate", model, "--candidate", "2", "--samples", "200", "--total", "40"]
                + ["--concurrency", "4", "--json", "--metrics", "http://127.0.0.1:\(base + 2102)/metrics"],
            environment: environment
        )
        #expect(status == 0, "\(output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(
            Set(report.keys) == [
                "scenario", "load", "seconds", "sent", "succeeded", "failed", "unfinished", "rate_per_s",
                "target_rate_per_s", "error_rate", "latency_ms", "histogram", "statuses", "timeline", "server",
                "objectives",
            ]
        )
        #expect(report["sent"] as? Int == 40 && report["succeeded"] as? Int == 40 && report["failed"] as? Int == 0)
        let latency = try #require(report["latency_ms"] as? [String: Double])
        #expect(Set(latency.keys) == ["fastest", "mean", "slowest", "p50", "p90", "p95", "p99", "p99.9", "max"])
        #expect(latency["p50"].map { $0 > 0 } == true && latency["p50"]! <= latency["max"]!)
        #expect(try decisions() == before, "a dry run logged a decision")
        // The gate's own metrics saw the same 40 calls.
        let server = try #require(report["server"] as? [String: Double])
        #expect(server["calls"] == 40 && server["mean_ms"].map { $0 > 0 } == true, "\(server)")

        // Writes: each call of these is one row (a version; a batch of predictions).
        (status, output) = try await mlopsctl(["registry", "create-model", "bench-model"], environment: environment)
        #expect(status == 0, "\(output)")
        (status, output) = try await mlopsctl(
            ["bench", "registry-create", "bench-model", "--total", "20", "--concurrency", "4"],
            environment: environment
        )
        #expect(status == 0, "\(output)")
        (status, output) = try await mlopsctl(
            ["bench", "monitoring-ingest", "bench-model", "--batch", "50", "--total", "4"],
            environment: environment
        )
        #expect(status == 0, "\(output)")
        let versions = try database.query("SELECT count(*) FROM model_versions WHERE model_name = 'bench-model'")
        #expect(try versions.value(Int64.self, row: 0, column: 0) == 20)
        let logged = try database.query("SELECT count(*) FROM predictions WHERE model_name = 'bench-model'")
        #expect(try logged.value(Int64.self, row: 0, column: 0) == 200)

        // Any unary method by its path, the request in protobuf's JSON mapping: each call is a version
        // with the JSON's source, score and tag.
        let create = ["bench", "call", "/mlops.v1.ModelRegistry/CreateModelVersion", "--request"]
        (status, output) = try await mlopsctl(
            create + [#"{"name": "bench-model", "source": "s3://json", "f1_score": 0.5, "tags": {"via": "json"}}"#]
                + ["--total", "5", "--concurrency", "2"],
            environment: environment
        )
        #expect(status == 0 && output.contains("call CreateModelVersion at "), "\(output)")
        let fromJSON = try database.query(
            """
            SELECT count(*) FROM model_versions v JOIN model_version_tags t ON t.version_id = v.id
            WHERE v.model_name = 'bench-model' AND v.source = 's3://json' AND v.f1_score = 0.5
              AND t.key = 'via' AND t.value = 'json'
            """
        )
        #expect(try fromJSON.value(Int64.self, row: 0, column: 0) == 5)
        // A request that is not the method's message, or a method bench cannot call, ends before any call.
        (status, output) = try await mlopsctl(create + [#"{"nmae": "bench-model"}"#], environment: environment)
        #expect(status != 0 && output.contains("CreateModelVersionRequest: nmae: no such field"), "\(output)")
        (status, output) = try await mlopsctl(
            ["bench", "call", "/mlops.v1.ModelRegistry/WatchModelVersions", "--request", "{}"],
            environment: environment
        )
        #expect(status != 0 && output.contains("answers with a stream"), "\(output)")

        let (page, seconds) = (folder + "/bench.html", folder + "/bench.csv")
        (status, output) = try await mlopsctl(
            ["bench", "health", "--service", "gate", "--rate", "100", "--duration", "2s", "--slo", "errors<=0,p99<60s"]
                + ["--html", page, "--csv", seconds],
            environment: environment
        )
        #expect(status == 0 && output.contains("✓ met  p99<60s"), "\(output)")
        // One file, no scripts, three charts (scripts/render-bench-report.sh renders it in Chromium).
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.components(separatedBy: "<svg").count - 1 == 3 && !html.contains("<script"))
        #expect(html.contains("Latency over time") && html.contains("<polyline") && html.contains("class=\"bar\""))
        let rows = try String(contentsOfFile: seconds, encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "second,calls,errors,p50_ms,p99_ms,max_ms" && rows.count == 3, "\(rows)")
        let callsPerSecond: [Int] = rows.dropFirst().map { row in Int(row.split(separator: ",")[1]) ?? 0 }
        #expect(callsPerSecond.reduce(0, +) == 200, "\(rows)")
        // A ramp with no --duration runs the ramp's length.
        (status, output) = try await mlopsctl(
            ["bench", "health", "--rate", "20:60", "--ramp", "3s", "--json"],
            environment: environment
        )
        let ramp = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let rampSeconds = try #require(ramp["seconds"] as? Double)
        #expect(status == 0 && rampSeconds >= 2.9 && rampSeconds < 6, "\(output)")
        (status, output) = try await mlopsctl(
            ["bench", "health", "--total", "200", "--slo", "errors<=0,p99<0.001ms"],
            environment: environment
        )
        #expect(status == 1 && output.contains("objectives missed: p99<0.001ms (p99 = "), "\(output)")
        let missed = output.split(separator: "\n").first { $0.hasPrefix("objectives missed:") }
        #expect(missed?.contains("errors") == false, "a met objective named as missed: \(output)")
    }

    /// The services' and PostgreSQL's process ids, as the stack's folder records them.
    private static func processes(_ folder: String) throws -> [Int32] {
        let state = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: folder + "/state.json"))
        )
        let services = ((state as? [String: Any])?["pids"] as? [String: Int] ?? [:]).values.map { Int32($0) }
        let postmaster = try String(contentsOfFile: folder + "/postgres/data/postmaster.pid", encoding: .utf8)
        return (services + [Int32(postmaster.prefix { $0 != "\n" })].compactMap { $0 }).sorted()
    }
}
