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

/// A stage change and who asked.
struct StageChangeRequest: Sendable {
    var change: StageChange
    var actor: String
}

extension RegistryStore {
    /// Moves the version, archives the others in the target stage when asked,
    /// and writes the history rows, in one transaction under the model's row
    /// lock: racing promotions take turns, so with archiving exactly one
    /// version ends in the stage, whichever replica each came through.
    /// Changes to one model that arrive together share that transaction,
    /// applied one after another in arrival order, and the whole transaction
    /// goes to the server in one pipeline: one round trip, one commit.
    func transition(_ change: StageChange, by actor: String) async throws -> StageChangeResult {
        try await stageChanges.submit(StageChangeRequest(change: change, actor: actor), key: change.name)
    }

    static func changeStages(
        _ requests: [StageChangeRequest],
        of model: String,
        pool: PostgresPool,
        cache: RegistryReadCache
    ) async throws -> [Result<StageChangeResult, any Error>] {
        defer { cache.invalidate(model) }
        let now = now()
        let statements = requests.map { stageChangeStatement($0.change, by: $0.actor, at: now) }
        // The lock comes first, so each change's statement reads a snapshot
        // taken after every earlier change to the model committed.
        let transaction: [PostgresQuery] =
            [
                "BEGIN ISOLATION LEVEL READ COMMITTED",
                "SELECT id FROM registered_models WHERE name = \(model) FOR UPDATE",
            ]
            + statements + ["COMMIT"]
        let results = try await mappingErrors {
            try await pool.withConnection { connection in
                do {
                    return try connection.pipeline(transaction)
                } catch {
                    if connection.isHealthy { _ = try? connection.query("ROLLBACK") }
                    throw error
                }
            }
        }
        guard results[1]?.count == 1 else { return requests.map { _ in .failure(RegistryErrors.modelNotFound(model)) } }
        return zip(requests, results[2..<(2 + requests.count)]).map { request, rows in
            Result { try stageChangeResult(rows, request.change, by: request.actor, at: now) }
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

extension RegistryStore {
    /// One stage change as one statement: the target's move, the archiving,
    /// their history rows, and the notices to every replica.
    fileprivate static func stageChangeStatement(_ change: StageChange, by actor: String, at now: Int64)
        -> PostgresQuery
    {
        let target = change.stage.rawValue
        return """
            WITH model AS (
                SELECT id FROM registered_models WHERE name = \(change.name)
            ), target AS (
                SELECT v.id, v.version, v.stage FROM model_versions v, model
                WHERE v.model_id = model.id AND v.version = \(change.version)
            ), moves AS (
                SELECT id, version, stage AS from_stage, \(target)::text AS to_stage, 0::bigint AS archived_by
                FROM target
                UNION ALL
                SELECT o.id, o.version, o.stage, 'Archived', \(change.version)::bigint
                FROM model_versions o, model
                WHERE \(change.archiveExistingVersions)::bool AND o.model_id = model.id AND o.stage = \(target)
                  AND o.version <> \(change.version) AND EXISTS (SELECT 1 FROM target)
            ), history AS (
                INSERT INTO model_transitions (kind, model_id, model_name, version, from_stage, to_stage, actor,
                                               comment, decision_id, archived_by_version, timestamp)
                SELECT 'stage', model.id, \(change.name), version, from_stage, to_stage, \(actor), \(change.comment),
                       \(change.decisionID), archived_by, \(now)
                FROM moves, model ORDER BY archived_by <> 0, version
                RETURNING id, version
            ), moved AS (
                UPDATE model_versions v
                SET stage = m.to_stage, last_updated_timestamp = \(now), last_updated_by = \(actor),
                    last_transition_id = h.id,
                    promoted_at = CASE WHEN m.to_stage = 'Production'
                                       THEN to_timestamp(\(now) / 1000.0) AT TIME ZONE 'UTC' ELSE v.promoted_at END,
                    promoted_by = CASE WHEN m.to_stage = 'Production' THEN \(actor) ELSE v.promoted_by END
                FROM moves m JOIN history h ON h.version = m.version
                WHERE v.id = m.id
                RETURNING v.*
            ), touched AS (
                UPDATE registered_models SET last_updated_timestamp = \(now), last_updated_by = \(actor)
                WHERE id = (SELECT id FROM model) AND EXISTS (SELECT 1 FROM target)
            )
            SELECT \(fragment: .versionColumns), h.id, m.from_stage,
                   pg_notify(\(RegistryStore.channel),
                             json_build_object('kind', 'transition', 'id', h.id, 'model', \(change.name)::text)::text)
            FROM moved v JOIN history h ON h.version = v.version JOIN moves m ON m.version = v.version
            ORDER BY h.id
            """
    }

    /// The moved target (with its history row) and the versions it archived;
    /// no rows means the version does not exist.
    fileprivate static func stageChangeResult(
        _ rows: PostgresRows?,
        _ change: StageChange,
        by actor: String,
        at now: Int64
    ) throws -> StageChangeResult {
        guard let rows, rows.count > 0 else { throw RegistryErrors.versionNotFound(change.name, change.version) }
        let columns = VersionRow.columnCount
        var result: StageChangeResult?
        var archived: [ModelVersion] = []
        for row in 0..<rows.count {
            let decoded = try VersionRow.decode(rows, row: row)
            guard decoded.version.version == change.version else {
                archived.append(decoded.version)
                continue
            }
            let transition = Transition(
                id: try rows.value(Int64.self, row: row, column: columns)!,
                kind: .stage,
                modelName: change.name,
                modelId: decoded.modelID.uuidString.lowercased(),
                version: change.version,
                fromStage: rows.text(row: row, column: columns + 1) ?? "",
                toStage: change.stage.rawValue,
                actor: actor,
                comment: change.comment,
                decisionId: change.decisionID,
                timestamp: now
            )
            result = StageChangeResult(version: decoded.version, transition: transition, archived: [])
        }
        result?.archived = archived
        return result!
    }
}
