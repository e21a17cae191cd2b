import Foundation
import MLOpsMessages
import MLOpsPostgres
import RegistryRules

/// A stage change someone asked for.
struct StageChange: Sendable {
    var name: String
    var version: Int64
    var stage: Stage
    var archiveExistingVersions: Bool
    var comment: String
    var decisionID: String
}

struct StageChangeResult: Sendable {
    var version: ModelVersion
    var transition: Transition
    var archived: [ModelVersion]
}

extension RegistryStore {
    /// Moves the version, archives the others in the target stage when asked,
    /// and writes the history rows, all in one transaction under the model's
    /// row lock: racing promotions take turns, so with archiving exactly one
    /// version ends in the stage, whichever replica each came through.
    func transition(_ change: StageChange, by actor: String) async throws -> StageChangeResult {
        try await write(change.name) { connection in
            let model = try connection.lockModel(change.name)
            let current = try connection.version(change.name, change.version, of: model.id).version
            let now = Self.now()
            let target = change.stage.rawValue
            let transition = try connection.recordTransition(
                Transition(
                    kind: .stage,
                    modelName: change.name,
                    version: change.version,
                    fromStage: current.currentStage,
                    toStage: target,
                    actor: actor,
                    comment: change.comment,
                    decisionId: change.decisionID,
                    timestamp: now
                ),
                modelID: model.id
            )
            try connection.moveVersion(model.id, change.version, to: target, at: now, by: actor)

            var archived: [ModelVersion] = []
            if change.archiveExistingVersions {
                let others = try connection.query(
                    """
                    SELECT version FROM model_versions
                    WHERE model_id = \(model.id) AND stage = \(target) AND version <> \(change.version)
                    ORDER BY version
                    """
                )
                for row in 0..<others.count {
                    let other = try others.value(Int64.self, row: row, column: 0)!
                    _ = try connection.recordTransition(
                        Transition(
                            kind: .stage,
                            modelName: change.name,
                            version: other,
                            fromStage: target,
                            toStage: Stage.archived.rawValue,
                            actor: actor,
                            comment: change.comment,
                            decisionId: change.decisionID,
                            archivedByVersion: change.version,
                            timestamp: now
                        ),
                        modelID: model.id
                    )
                    try connection.moveVersion(model.id, other, to: Stage.archived.rawValue, at: now, by: actor)
                    archived.append(try connection.version(change.name, other, of: model.id).version)
                }
            }
            try connection.query(
                """
                UPDATE registered_models SET last_updated_timestamp = \(now), last_updated_by = \(actor)
                WHERE id = \(model.id)
                """
            )
            return StageChangeResult(
                version: try connection.version(change.name, change.version, of: model.id).version,
                transition: transition,
                archived: archived
            )
        }
    }

    /// For each of `stages` (all four when empty), the live version with the
    /// highest number in it, in stage order: one statement.
    func latestVersions(name: String, stages: [Stage]) async throws -> [ModelVersion] {
        let wanted = (stages.isEmpty ? Stage.allCases : stages).map(\.rawValue)
        let query = RegistryReadCache.Query.latest(stages: wanted)
        let (cached, ticket) = cache.lookup(name, query)
        if case .versions(let versions) = cached { return versions }
        let versions = try await single { connection in
            let rows = try connection.query(
                """
                SELECT DISTINCT ON (v.stage) \(fragment: .versionColumns)
                FROM model_versions v
                WHERE v.model_id = (SELECT id FROM registered_models WHERE name = \(name))
                  AND v.stage = ANY(\(wanted)::text[])
                ORDER BY v.stage, v.version DESC
                """
            )
            if rows.count == 0, try !connection.modelExists(name) { throw RegistryErrors.modelNotFound(name) }
            return Stage.sortedByStage(try VersionRow.decodeAll(rows))
        }
        cache.store(.versions(versions), for: name, query, ticket: ticket)
        return versions
    }
}

extension PostgresConnection {
    /// Sets a version's stage; a move into Production records when and by whom.
    fileprivate func moveVersion(_ modelID: UUID, _ version: Int64, to stage: String, at now: Int64, by actor: String)
        throws
    {
        try query(
            """
            UPDATE model_versions
            SET stage = \(stage), last_updated_timestamp = \(now), last_updated_by = \(actor),
                promoted_at = CASE WHEN \(stage) = 'Production'
                                   THEN to_timestamp(\(now) / 1000.0) AT TIME ZONE 'UTC' ELSE promoted_at END,
                promoted_by = CASE WHEN \(stage) = 'Production' THEN \(actor) ELSE promoted_by END
            WHERE model_id = \(modelID) AND version = \(version)
            """
        )
    }
}
