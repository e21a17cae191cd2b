import Foundation
import MLOpsTestSupport
import Testing

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The ports `mlopsctl dev` takes from its base: services, metrics, PostgreSQL.
let devPortOffsets = [0, 1, 2, 2100, 2101, 2102, 18_439]

/// Runs mlopsctl with `environment` added (through `launcher`, on another
/// host, when given); its exit status and output.
func mlopsctl(
    _ arguments: [String],
    environment: [String: String] = [:],
    launcher: [String] = []
) async throws -> (Int32, String) {
    let process = try ServiceProcess("mlopsctl", arguments, environment: environment, launcher: launcher)
    let status = try #require(await process.exitStatus(waitingUpTo: .seconds(150)))
    return (status, process.log)
}

/// A folder for one stack, and ports whose whole `dev` layout is free.
func devLocation() throws -> (folder: String, base: Int, arguments: [String]) {
    let folder = NSTemporaryDirectory() + "mlops-dev-\(UUID().uuidString.prefix(8))"
    let base = try FreeTCPPort.findBase(in: 20_000..<26_000, offsets: devPortOffsets)
    return (folder, base, ["--folder", folder, "--base-port", String(base)])
}
