import Foundation
import MLOpsTestSupport
import Testing

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The fuzz targets' seeds, and every crash fuzzing ever found, run once
/// through a plain build of the targets (`scripts/fuzz.sh` fuzzes them).
@Suite("Fuzzing's seeds and regressions replayed")
struct FuzzCorpusTests {
    @Test(arguments: ["frame-reader", "messages", "search-filter", "configuration", "csv"])
    func replay(target: String) async throws {
        let process = try ServiceProcess(
            "mlops-fuzz",
            [target, "\(repository)/fuzz/corpus/\(target)", "\(repository)/fuzz/regressions/\(target)"]
        )
        let status = try #require(await process.exitStatus(waitingUpTo: .seconds(60)))
        #expect(status == 0, "\(process.log)")
        #expect(process.log.contains("\(target): "), "\(process.log)")
    }

    @Test func everyMessageIsFuzzed() async throws {
        let process = try ServiceProcess("mlops-fuzz", ["--check-messages"])
        let status = try #require(await process.exitStatus(waitingUpTo: .seconds(30)))
        #expect(status == 0, "\(process.log)")
    }
}
