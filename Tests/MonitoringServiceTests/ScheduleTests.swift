import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTestSupport
import Testing

private let artifactsDirectory = NSTemporaryDirectory() + "monitoring-schedule-\(UUID().uuidString.prefix(8))"

@Suite(
    "Scheduled windows on two replicas sharing one database",
    .temporaryPostgres,
    RunningServiceTrait(
        executable: "monitoring",
        rpcService: "mlops.v1.Monitoring",
        replicas: 2,
        extraSettings: #"""
            "artifacts": {"directory": "\#(artifactsDirectory)"},
            "schedule": [{"model": "scheduled-model", "everySeconds": 1, "lookbackHours": 1}]
            """#
    )
)
struct ScheduleTests {
    @Test func eachScheduledWindowRunsOnceAcrossReplicas() async throws {
        let running = try #require(RunningService.current)
        let monitoring = MonitoringClient(try running.rpcClient("serving"))
        var fixtures = Fixtures(seed: 21)
        _ = try await monitoring.uploadReference(model: "scheduled-model", rows: fixtures.referenceRows(100))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        _ = try await monitoring.logPredictions(
            .init(predictions: fixtures.predictions(50, model: "scheduled-model", endingAt: now))
        )
        try await Task.sleep(for: .seconds(5))

        let windows = try await monitoring.listRecentMetrics(.init(modelName: "scheduled-model")).metrics
        #expect(windows.count >= 2)
        // Window ends fall on whole seconds, each computed by exactly one replica.
        let analysed = running.replicas.flatMap { replica in
            replica.process.log.split(separator: "\n").filter {
                $0.contains("window analysed") && $0.contains("model=scheduled-model")
            }
        }
        for window in windows {
            #expect(window.timestamp % 1000 == 0)
            #expect(analysed.filter { $0.contains("window_end=\(window.timestamp) ") }.count == 1)
        }
        #expect(windows.contains { $0.numPredictions == 50 })
    }
}
