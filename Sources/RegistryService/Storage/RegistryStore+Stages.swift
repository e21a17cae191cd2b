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
    /// Changes to one model that arrive together share that transaction and
    /// are applied one after another in arrival order.
    func transition(_ change: StageChange, by actor: String) async throws -> StageChangeResult {
        try await stageChanges.submit(StageChangeRequest(change: change, actor: actor), key: change.name)
    }

    /// A lone change is one statement in one round trip, its plan cached.
    /// Changes that arrived together take two round trips, whatever their
    /// number: lock the model and read the versions involved; work out every
    /// move in order (`StageChangePlan`); then write all history rows, each
    /// touched version once in its final state, and the notices, and commit.
    /// (One statement per change would rewrite the same rows again and again.)
    static func changeStages(
        _ requests: [StageChangeRequest],
        of model: String,
        _ connection: PostgresConnection,
        cache: RegistryReadCache
    ) throws -> [Result<StageChangeResult, any Error>] {
        defer { cache.invalidate(model) }
        let now = now()
        if requests.count == 1 { return [try changeStage(requests[0], connection, at: now)] }
        let changes = requests.map {
            StageChangePlan.Change(
                version: $0.change.version,
                stage: $0.change.stage,
                archiveOthers: $0.change.archiveExistingVersions
            )
        }
        return try connection.rollingBackOnFailure {
            try changeTogether(requests, changes, of: model, at: now, connection)
        }
    }

    private static func changeTogether(
        _ requests: [StageChangeRequest],
        _ changes: [StageChangePlan.Change],
        of model: String,
        at now: Int64,
        _ connection: PostgresConnection
    ) throws -> [Result<StageChangeResult, any Error>] {
        // The lock comes first, so the read sees every earlier change to the model committed.
        let read = try connection.pipeline([
            "BEGIN ISOLATION LEVEL READ COMMITTED",
            "SET LOCAL plan_cache_mode = force_generic_plan",
            "SET LOCAL enable_seqscan = off",
            "SELECT id FROM registered_models WHERE name = \(model) FOR UPDATE",
            readStatement(model: model, changes),
        ])
        guard let locked = read[3], locked.count == 1, let modelID = try locked.value(UUID.self, row: 0, column: 0)
        else {
            try connection.query("ROLLBACK")
            return requests.map { _ in .failure(RegistryErrors.modelNotFound(model)) }
        }
        var versions: [Int64: ModelVersion] = [:]
        if let rows = read[4] {
            for row in 0..<rows.count {
                let version = try VersionRow.decode(rows, row: row).version
                versions[version.version] = version
            }
        }
        let plan = StageChangePlan(
            current: versions.compactMapValues { Stage(rawValue: $0.currentStage) },
            changes: changes
        )
        let history = zip(requests, plan.moves).flatMap { request, moves in
            (moves ?? []).map { (request, $0) }
        }
        guard !history.isEmpty else {
            try connection.query("ROLLBACK")
            return requests.map { .failure(RegistryErrors.versionNotFound(model, $0.change.version)) }
        }
        let written = try connection.pipeline([
            writeStatement(history, plan: plan, requests: requests, model: model, modelID: modelID, at: now),
            "COMMIT",
        ])
        // History ids are taken in the order the rows were inserted, which is the order of `history`.
        guard let ids = written[0], ids.count == history.count else {
            throw PostgresError(code: .serverError, message: "the history rows of a stage change were not all written")
        }
        return try results(requests, plan, versions, ids, model: model, modelID: modelID, at: now)
    }

    /// The versions changed and those in the stages they archive, as one
    /// statement with one plan for every batch (planning it afresh cost more
    /// than running it): versions are looked up one by one by key, and the
    /// stages (ours, never the caller's text) are written into the SQL. Given
    /// as an array parameter, a plan made without knowing them scanned all the
    /// model's index entries, the dead ones too: after a burst of writes,
    /// promotions crawled.
    private static func readStatement(model: String, _ changes: [StageChangePlan.Change]) -> PostgresQuery {
        let stages = StageChangePlan.stagesToRead(changes).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let others: PostgresQuery =
            stages.isEmpty
            ? ""
            : """
            UNION ALL
            SELECT \(fragment: .versionColumns) FROM model, model_versions v
            WHERE v.model_id = model.id AND v.stage IN (\(fragment: PostgresQuery(stringLiteral: stages)))
            """
        return """
            WITH model AS (SELECT id FROM registered_models WHERE name = \(model))
            SELECT \(fragment: .versionColumns)
            FROM model, unnest(\(changes.map(\.version))::bigint[]) AS wanted(version)
            JOIN model_versions v ON v.version = wanted.version
            WHERE v.model_id = model.id
            \(fragment: others)
            """
    }

    /// The history rows, every touched version in its final state, the
    /// model's timestamp, and one notice per history row, as one statement.
    private static func writeStatement(
        _ history: [(StageChangeRequest, StageChangePlan.Move)],
        plan: StageChangePlan,
        requests: [StageChangeRequest],
        model: String,
        modelID: UUID,
        at now: Int64
    ) -> PostgresQuery {
        let touched = plan.final.keys.sorted()
        let lastActor = history.last!.0.actor
        return """
            WITH h AS (
                INSERT INTO model_transitions (kind, model_id, model_name, version, from_stage, to_stage, actor,
                                               comment, decision_id, archived_by_version, timestamp)
                SELECT 'stage', \(modelID), \(model), u.version, u.from_stage, u.to_stage, u.actor, u.comment,
                       u.decision_id, u.archived_by, \(now)
                FROM unnest(\(history.map(\.1.version))::bigint[], \(history.map(\.1.from.rawValue))::text[],
                            \(history.map(\.1.to.rawValue))::text[], \(history.map(\.0.actor))::text[],
                            \(history.map(\.0.change.comment))::text[], \(history.map(\.0.change.decisionID))::text[],
                            \(history.map(\.1.archivedBy))::bigint[])
                     WITH ORDINALITY AS u(version, from_stage, to_stage, actor, comment, decision_id, archived_by, n)
                ORDER BY u.n
                RETURNING id, version
            ), latest AS (
                SELECT version, max(id) AS id FROM h GROUP BY version
            ), moved AS (
                UPDATE model_versions v
                SET stage = f.stage, last_updated_timestamp = \(now), last_updated_by = f.actor,
                    last_transition_id = latest.id,
                    promoted_at = CASE WHEN f.promoter <> ''
                                       THEN to_timestamp(\(now) / 1000.0) AT TIME ZONE 'UTC' ELSE v.promoted_at END,
                    promoted_by = CASE WHEN f.promoter <> '' THEN f.promoter ELSE v.promoted_by END
                FROM unnest(\(touched)::bigint[], \(touched.map { plan.final[$0]!.stage.rawValue })::text[],
                            \(touched.map { requests[plan.final[$0]!.lastChange].actor })::text[],
                            \(touched.map { plan.lastPromotion[$0].map { requests[$0].actor } ?? "" })::text[])
                     AS f(version, stage, actor, promoter)
                JOIN latest ON latest.version = f.version
                WHERE v.model_id = \(modelID) AND v.version = f.version
            ), model AS (
                UPDATE registered_models SET last_updated_timestamp = \(now), last_updated_by = \(lastActor)
                WHERE id = \(modelID)
            )
            SELECT id, \(fragment: RegistryNotification.transitionNotice(idColumn: "id", model: model))
            FROM h ORDER BY id
            """
    }

    /// What each caller hears: its version and those it archived, as they
    /// stood right after its change, and its history row.
    private static func results(
        _ requests: [StageChangeRequest],
        _ plan: StageChangePlan,
        _ initial: [Int64: ModelVersion],
        _ ids: PostgresRows,
        model: String,
        modelID: UUID,
        at now: Int64
    ) throws -> [Result<StageChangeResult, any Error>] {
        var versions = initial
        var row = 0
        var results: [Result<StageChangeResult, any Error>] = []
        for (request, moves) in zip(requests, plan.moves) {
            guard let moves else {
                results.append(.failure(RegistryErrors.versionNotFound(model, request.change.version)))
                continue
            }
            var transition = Transition()
            var archived: [ModelVersion] = []
            for move in moves {
                let id = try ids.value(Int64.self, row: row, column: 0) ?? 0
                row += 1
                var version = versions[move.version]!
                version.currentStage = move.to.rawValue
                version.lastUpdatedTimestamp = now
                if move.archivedBy == 0 {
                    if move.to == .production {
                        version.promotedAt = now
                        version.promotedBy = request.actor
                    }
                    transition = Transition(
                        id: id,
                        of: request.change,
                        modelID: modelID,
                        from: move.from.rawValue,
                        by: request.actor,
                        at: now
                    )
                } else {
                    archived.append(version)
                }
                versions[move.version] = version
            }
            results.append(
                .success(
                    StageChangeResult(
                        version: versions[request.change.version]!,
                        transition: transition,
                        archived: archived
                    )
                )
            )
        }
        return results
    }

    private static func changeStage(
        _ request: StageChangeRequest,
        _ connection: PostgresConnection,
        at now: Int64
    ) throws -> Result<StageChangeResult, any Error> {
        // The lock comes first, so the statement reads a snapshot taken after every earlier change committed.
        let transaction: [PostgresQuery] = [
            "BEGIN ISOLATION LEVEL READ COMMITTED",
            "SET LOCAL enable_seqscan = off",
            "SELECT id FROM registered_models WHERE name = \(request.change.name) FOR UPDATE",
            stageChangeStatement(request.change, by: request.actor, at: now),
            "COMMIT",
        ]
        let results = try connection.rollingBackOnFailure { try connection.pipeline(transaction) }
        guard results[2]?.count == 1 else { return .failure(RegistryErrors.modelNotFound(request.change.name)) }
        return Result { try stageChangeResult(results[3], request.change, by: request.actor, at: now) }
    }

    /// One change in the caller's transaction (a keyed write's): the model's
    /// row lock, then the change's one statement.
    static func changeStage(_ request: StageChangeRequest, _ connection: PostgresConnection) throws
        -> StageChangeResult
    {
        let now = now()
        _ = try connection.lockModel(request.change.name)
        let rows = try connection.query(stageChangeStatement(request.change, by: request.actor, at: now))
        return try stageChangeResult(rows, request.change, by: request.actor, at: now)
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
    /// A lone stage change as one statement: the target's move, the
    /// archiving, their history rows, and the notices to every replica.
    ///
    /// The target stage is written into the SQL and the archiving is there
    /// or not, rather than both being parameters: eight statements, each
    /// planned once. As parameters, PostgreSQL could not tell how many
    /// versions a generic plan would archive, judged it dearer and planned
    /// every call afresh (0.7 ms of a 1.7 ms promotion). The stage is one of
    /// four words of ours, never the caller's text.
    fileprivate static func stageChangeStatement(_ change: StageChange, by actor: String, at now: Int64)
        -> PostgresQuery
    {
        let target = PostgresQuery(stringLiteral: "'\(change.stage.rawValue)'")
        let archiving: PostgresQuery =
            change.archiveExistingVersions
            ? """
            UNION ALL
            SELECT o.id, o.version, o.stage, 'Archived', \(change.version)::bigint
            FROM model_versions o, model
            WHERE o.model_id = model.id AND o.stage = \(fragment: target)
              AND o.version <> \(change.version) AND EXISTS (SELECT 1 FROM target)
            """
            : ""
        return """
            WITH model AS (
                SELECT id FROM registered_models WHERE name = \(change.name)
            ), target AS (
                SELECT v.id, v.version, v.stage FROM model_versions v, model
                WHERE v.model_id = model.id AND v.version = \(change.version)
            ), moves AS (
                SELECT id, version, stage AS from_stage, \(fragment: target)::text AS to_stage, 0::bigint AS archived_by
                FROM target
                \(fragment: archiving)
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
                   \(fragment: RegistryNotification.transitionNotice(idColumn: "h.id", model: change.name))
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
                of: change,
                modelID: decoded.modelID,
                from: rows.text(row: row, column: columns + 1) ?? "",
                by: actor,
                at: now
            )
            result = StageChangeResult(version: decoded.version, transition: transition, archived: [])
        }
        result?.archived = archived
        return result!
    }
}

extension Transition {
    /// The history row of `change`'s own move (not of a version it archived),
    /// as both stage-change paths write it.
    fileprivate init(id: Int64, of change: StageChange, modelID: UUID, from: String, by actor: String, at now: Int64) {
        self.init(
            id: id,
            kind: .stage,
            modelName: change.name,
            modelId: modelID.uuidString.lowercased(),
            version: change.version,
            fromStage: from,
            toStage: change.stage.rawValue,
            actor: actor,
            comment: change.comment,
            decisionId: change.decisionID,
            timestamp: now
        )
    }
}
