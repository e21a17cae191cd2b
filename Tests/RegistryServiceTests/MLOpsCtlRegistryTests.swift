import Foundation
import MLOpsTestSupport
import Testing

@Suite("mlopsctl registry against a real registry", .temporaryPostgres, .runningRegistry())
struct MLOpsCtlRegistryTests {
    /// Runs mlopsctl as `identity`; returns its exit status and output.
    /// Runs mlopsctl as `identity`; returns its exit status and output.
    private func mlopsctl(_ arguments: String..., as identity: String = "admin") async throws -> (Int32, String) {
        try await #require(RunningRegistry.current).mlopsctl(arguments, as: identity)
    }

    @Test func everyDayCommands() async throws {
        var (status, output) = try await mlopsctl("registry", "create-model", "cli-model", "--tag", "team=risk")
        #expect(status == 0, "\(output)")
        #expect(output.contains("cli-model"))
        (status, output) = try await mlopsctl(
            "registry",
            "create-version",
            "cli-model",
            "--source",
            "s3://m/1",
            "--f1",
            "0.8125",
            as: "trainer"
        )
        #expect(status == 0 && output.contains("0.8125"), "\(output)")
        (status, output) = try await mlopsctl(
            "registry",
            "transition",
            "cli-model",
            "1",
            "production",
            "--comment",
            "by hand",
            as: "retraining-gate"
        )
        #expect(status == 0 && output.contains("Production"), "\(output)")
        (status, output) = try await mlopsctl("registry", "latest", "cli-model", "--json")
        let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]]
        #expect(json?.first?["current_stage"] as? String == "Production")
        #expect(json?.first?["f1_score"] as? Double == 0.8125)
        (status, output) = try await mlopsctl("registry", "history", "cli-model")
        #expect(
            output.contains("None → Production") && output.contains("retraining-gate") && output.contains("by hand")
        )
        (status, output) = try await mlopsctl("registry", "set-alias", "cli-model", "champion", "1")
        #expect(status == 0)
        (status, output) = try await mlopsctl("registry", "get-by-alias", "cli-model", "champion")
        #expect(output.contains("champion"))
    }

    @Test func errorsNameTheServiceAddressAndStatus() async throws {
        let running = try #require(RunningRegistry.current)
        var (status, output) = try await mlopsctl("registry", "get-model", "no-such-model")
        #expect(status == 1)
        #expect(
            output.contains(
                "model-registry at 127.0.0.1:\(running.replicas[0].port): NOT_FOUND: Registered Model with name=no-such-model not found"
            ),
            "\(output)"
        )
        _ = try await mlopsctl("registry", "create-model", "cli-guarded")
        _ = try await mlopsctl("registry", "create-version", "cli-guarded")
        (status, output) = try await mlopsctl("registry", "transition", "cli-guarded", "1", "Production", as: "trainer")
        #expect(status == 1 && output.contains("PERMISSION_DENIED"), "\(output)")
    }
}
