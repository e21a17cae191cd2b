import Foundation
import MLOpsMessages
import MLOpsPostgres

/// A watcher's starting point: every live version and the newest history row
/// each already reflects, so later news it already has can be skipped.
struct WatchSnapshot: Sendable {
    var versions: [ModelVersion]
    /// By `WatchSnapshot.key`.
    var lastTransitionIDs: [String: Int64]

    static func key(modelID: String, version: Int64) -> String { "\(modelID)/\(version)" }
}

extension RegistryStore {
    func watchSnapshot(modelName: String) async throws -> WatchSnapshot {
        try await read { connection in
            let condition: PostgresQuery =
                modelName.isEmpty ? "true" : "v.model_id = \(try connection.modelID(modelName))"
            let rows = try connection.query(
                """
                SELECT \(fragment: .versionColumns) FROM model_versions v
                WHERE \(fragment: condition) ORDER BY v.model_name, v.version
                """
            )
            var snapshot = WatchSnapshot(versions: [], lastTransitionIDs: [:])
            for row in 0..<rows.count {
                let decoded = try VersionRow.decode(rows, row: row)
                snapshot.versions.append(decoded.version)
                let key = WatchSnapshot.key(
                    modelID: decoded.modelID.uuidString.lowercased(),
                    version: decoded.version.version
                )
                snapshot.lastTransitionIDs[key] = decoded.lastTransitionID
            }
            return snapshot
        }
    }

    /// A history row and its version as it is now; nil once the version is gone.
    func transitionAndVersion(id: Int64) async throws -> (Transition, ModelVersion)? {
        try await read { connection in
            let rows = try connection.query(
                """
                SELECT \(fragment: .transitionColumns), \(fragment: .versionColumns)
                FROM model_transitions t
                JOIN model_versions v ON v.model_id = t.model_id AND v.version = t.version
                WHERE t.id = \(id)
                """
            )
            guard rows.count == 1 else { return nil }
            return (try TransitionRow.decode(rows, row: 0), try VersionRow.decode(rows, row: 0, offset: 13).version)
        }
    }
}
