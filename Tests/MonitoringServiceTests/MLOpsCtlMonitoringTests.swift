import Foundation
import MLOpsTestSupport
import Testing

private let artifactsDirectory = NSTemporaryDirectory() + "monitoring-cli-\(UUID().uuidString.prefix(8))"

@Suite(
    "mlopsctl monitoring against a real monitoring process",
    .temporaryPostgres,
    RunningServiceTrait(
        executable: "monitoring",
        rpcService: "mlops.v1.Monitoring",
        extraSettings: #""artifacts": {"directory": "\#(artifactsDirectory)"}"#
    )
)
struct MLOpsCtlMonitoringTests {
    let folder = NSTemporaryDirectory() + "mlopsctl-monitoring-\(UUID().uuidString.prefix(8))"

    private func mlopsctl(_ arguments: String...) async throws -> (Int32, String) {
        let running = try #require(RunningService.current)
        let client = try running.identityFiles("serving")
        let process = try ServiceProcess(
            "mlopsctl",
            Array(arguments),
            environment: [
                "MLOPS_MONITORING_ADDRESS": "127.0.0.1:\(running.replicas[0].port)",
                "MLOPS_TLS_CA": running.authority.authorityPath,
                "MLOPS_TLS_CERT": client.certificatePath, "MLOPS_TLS_KEY": client.keyPath,
            ]
        )
        let status = try #require(await process.exitStatus(waitingUpTo: .seconds(30)))
        return (status, process.log)
    }

    private func write(_ name: String, _ lines: [String]) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try UnprivilegedUser.own(folder)  // mlopsctl writes its reports here
        let path = "\(folder)/\(name)"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func fromFilesToAReport() async throws {
        var fixtures = Fixtures(seed: 77)
        let reference = try write(
            "reference.csv",
            ["income,dti,region"]
                + (0..<200).map { _ in
                    let (numeric, categorical) = fixtures.features()
                    return "\(numeric["income"]!),\(numeric["dti"]!),\(categorical["region"]!)"
                }
        )
        var (status, output) = try await mlopsctl("monitoring", "set-reference", reference, "--model", "cli-model")
        #expect(status == 0 && output.contains("income:num") && output.contains("region:cat"), "\(output)")

        let end = recentHour(hoursAgo: 1)
        let predictions = try write(
            "predictions.csv",
            ["prediction_id,timestamp,probability,income,dti,region"]
                + (0..<150).map { index in
                    let (numeric, categorical) = fixtures.features(incomeShift: 2)
                    let region = index % 7 == 0 ? "" : categorical["region"]!
                    return "p\(index),\(end - Int64(index) * 1000),0.\(index % 10),\(numeric["income"]!),"
                        + "\(numeric["dti"]!),\"\(region)\""
                }
        )
        (status, output) = try await mlopsctl("monitoring", "log-predictions", predictions, "--model", "cli-model")
        #expect(status == 0 && output.contains("accepted 150, already stored 0"), "\(output)")
        let labels = try write("labels.csv", ["prediction_id,label"] + (0..<30).map { "p\($0),1" } + ["ghost,0"])
        (status, output) = try await mlopsctl("monitoring", "log-labels", labels)
        #expect(status != 0 && output.contains("--model"), "\(output)")
        (status, output) = try await mlopsctl("monitoring", "log-labels", labels, "--model", "cli-model")
        #expect(status == 0 && output.contains("labelled 30, unknown 1") && output.contains("ghost"), "\(output)")

        (status, output) = try await mlopsctl(
            "monitoring",
            "run",
            "cli-model",
            "--lookback-hours",
            "1",
            "--as-of",
            String(end)
        )
        #expect(status == 0 && output.contains("DRIFT") && output.contains("income"), "\(output)")
        (status, output) = try await mlopsctl("monitoring", "latest", "cli-model", "--json")
        #expect(status == 0, "\(output)")
        let latest = try #require(
            try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
            "\(output)"
        )
        #expect(latest["num_predictions"] as? Int == 150 && latest["labeled_predictions"] as? Int == 30)
        let reportRef = try #require(latest["report"] as? String)
        let reportPath = "\(folder)/report.html"
        (status, output) = try await mlopsctl("monitoring", "report", reportRef, "--output", reportPath)
        #expect(status == 0, "\(output)")
        let page = try String(contentsOfFile: reportPath, encoding: .utf8)
        #expect(page.contains(#"id="verdict""#) && page.contains("<svg"))

        (status, output) = try await mlopsctl("monitoring", "trend", "cli-model")
        #expect(status == 0 && output.contains("WINDOW END"), "\(output)")
        let trend = output
        (status, output) = try await mlopsctl("report", "drift-trend", "cli-model")
        #expect(status == 0 && output == trend, "\(output)")
        // The same window as the run's, not one ending now: near the end of an hour, "now minus two hours" would
        // already have passed the earliest predictions.
        (status, output) = try await mlopsctl(
            "monitoring",
            "context",
            "cli-model",
            "--lookback-hours",
            "1",
            "--as-of",
            String(end)
        )
        #expect(status == 0 && output.contains("predictions 150, labelled 30"), "\(output)")
        // A clear error: which service, where, which status.
        (status, output) = try await mlopsctl("monitoring", "latest", "never-seen")
        #expect(status == 1 && output.contains("monitoring at 127.0.0.1:") && output.contains("NOT_FOUND"), "\(output)")
    }

    @Test func aWideReferenceIsSentInCallsUnderTheFrameLimit() async throws {
        // 1,000 features by 400 rows: about 5 MB, more than one 4 MiB frame.
        let features = (0..<1_000).map { "f\($0)" }
        let rows = (0..<400).map { row in
            features.indices.map { String(Double(row * 7 + $0 % 13) / 3) }.joined(separator: ",")
        }
        let reference = try write("wide.csv", [features.joined(separator: ",")] + rows)
        let numeric = features.joined(separator: ",")
        var (status, output) = try await mlopsctl(
            "monitoring",
            "set-reference",
            reference,
            "--model",
            "wide-model",
            "--numeric",
            numeric
        )
        #expect(status == 0 && output.contains("f999:num"), "\(output.suffix(2_000))")

        // A feature named that the file does not have is refused before anything is sent.
        (status, output) = try await mlopsctl(
            "monitoring",
            "set-reference",
            reference,
            "--model",
            "wide-model",
            "--numeric",
            "f1,nope"
        )
        #expect(status != 0 && output.contains("has no column 'nope'"), "\(output.suffix(2_000))")
    }
}
