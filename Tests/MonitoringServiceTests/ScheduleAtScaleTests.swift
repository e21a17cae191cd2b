import Foundation
import MLOpsPostgres
import MLOpsTestSupport
import Testing

private let artifactsDirectory = NSTemporaryDirectory() + "monitoring-fleet-\(UUID().uuidString.prefix(8))"
private let models = (0..<1_000).map { String(format: "fleet-%04d", $0) }
/// Hourly in production; every 10 seconds here, so that two rounds fit in a test.
private let interval: Int64 = 10_000
private let schedule = models.map { #"{"model": "\#($0)", "everySeconds": 10, "lookbackHours": 1}"# }
    .joined(separator: ", ")

@Suite(
    "A thousand models' scheduled windows on two replicas",
    .temporaryPostgres,
    RunningServiceTrait(
        executable: "monitoring",
        rpcService: "mlops.v1.Monitoring",
        replicas: 2,
        extraSettings: #""artifacts": {"directory": "\#(artifactsDirectory)"}, "schedule": [\#(schedule)]"#
    )
)
struct ScheduleAtScaleTests {
    @Test func everyWindowIsComputedOnceNoneIsMissedAndBothReplicasShareTheWork() async throws {
        let running = try #require(RunningService.current)
        let database = try PostgresConnection(configuration: try #require(TestDatabase.current).configuration)
        // Two window ends that both replicas were already running for.
        let first = (EpochMilliseconds.now / interval + 2) * interval
        let ends = [first, first + interval]
        var stored = 0
        let deadline = ContinuousClock.now + .seconds(150)
        while stored < 2 * models.count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
            let rows = try database.query(
                """
                SELECT count(*) FROM monitoring_metrics
                WHERE timestamp IN (\(EpochMilliseconds(ends[0])), \(EpochMilliseconds(ends[1])))
                    AND model_name LIKE 'fleet-%'
                """
            )
            stored = try rows.value(Int.self, row: 0, column: 0) ?? 0
        }
        #expect(stored == 2 * models.count, "every model's two windows are stored (none missed)")

        // Each (model, end) analysed by exactly one replica, and each replica did a share.
        var analysed: [String: Int] = [:]
        var byReplica: [Int] = []
        for replica in running.replicas {
            let lines = replica.process.log.split(separator: "\n").filter { line in
                line.contains("window analysed") && ends.contains { line.contains("window_end=\($0) ") }
            }
            byReplica.append(lines.count)
            for line in lines {
                let model = line.firstMatch(of: /model=(fleet-\d{4})/).map { String($0.output.1) } ?? "?"
                let end = line.firstMatch(of: /window_end=(\d+)/).map { String($0.output.1) } ?? "?"
                analysed["\(model) \(end)", default: 0] += 1
            }
        }
        #expect(analysed.count == 2 * models.count && analysed.values.allSatisfy { $0 == 1 }, "computed once")
        #expect(byReplica.count == 2 && byReplica.allSatisfy { $0 >= 2 * models.count / 10 }, "\(byReplica)")
    }
}
