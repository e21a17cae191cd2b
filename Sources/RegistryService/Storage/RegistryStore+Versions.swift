import Foundation
import MLOpsMessages
import MLOpsPostgres

/// What a trainer registers.
struct NewVersion: Sendable {
    var name: String
    var source: String
    var runID: String
    var runLink: String
    var description: String
    var tags: [String: String]
    var f1Score: Double?
    var brierScore: Double?
}

/// One create of a batch, and who asked.
struct VersionCreation: Sendable {
    var version: NewVersion
    var actor: String
}

extension RegistryStore {
    /// The next number is the model's highest ever plus one, taken under the
    /// model's row lock: concurrent creates never collide. Creates of one
    /// model that arrive together share one statement and one commit.
    func createVersion(_ new: NewVersion, by actor: String) async throws -> ModelVersion {
        try await creates.submit(VersionCreation(version: new, actor: actor), key: new.name)
    }

    /// Numbers, rows and tags in one statement (its own transaction), which
    /// also tells every replica the model changed.
    static func createVersions(
        _ items: [VersionCreation],
        of model: String,
        _ connection: PostgresConnection,
        cache: RegistryReadCache
    ) throws -> [Result<ModelVersion, any Error>] {
        let now = now()
        let count = items.count
        defer { cache.invalidate(model) }
        let rows: PostgresRows
        if count == 1 {
            let statement = loneCreate(items[0], of: model, at: now)
            rows = try connection.query(statement)
        } else {
            // One plan for every batch, however many it holds: a custom plan per batch cost more
            // than the batch's writes. With sequential scans off, the plan that knows no array's
            // length still reaches every row by key.
            let transaction: [PostgresQuery] = [
                "BEGIN", "SET LOCAL plan_cache_mode = force_generic_plan", "SET LOCAL enable_seqscan = off",
                batchCreate(items, of: model, at: now), "COMMIT",
            ]
            rows = try connection.rollingBackOnFailure { try connection.pipeline(transaction) }[3]!
        }
        guard rows.count == count else {
            return items.map { _ in .failure(RegistryErrors.modelNotFound(model)) }
        }
        return try (0..<count).map { row in
            // The statement cannot see its own tag rows: they are the ones given.
            var version = try VersionRow.decode(rows, row: row).version
            version.tags = items[row].version.tags
            return .success(version)
        }
    }

    /// One create in the caller's transaction (a keyed write's).
    static func createVersion(_ item: VersionCreation, _ connection: PostgresConnection) throws -> ModelVersion {
        let rows = try connection.query(loneCreate(item, of: item.version.name, at: now()))
        guard rows.count == 1 else { throw RegistryErrors.modelNotFound(item.version.name) }
        var version = try VersionRow.decode(rows, row: 0).version
        version.tags = item.version.tags
        return version
    }

    /// One create, values as plain parameters: PostgreSQL plans it once and
    /// keeps the plan (planning the batch statement took longer than running it).
    private static func loneCreate(_ item: VersionCreation, of model: String, at now: Int64) -> PostgresQuery {
        let version = item.version
        let tags = Array(version.tags)
        let tagging: PostgresQuery =
            version.tags.isEmpty
            ? ""
            : """
            , tagged AS (
                INSERT INTO model_version_tags (version_id, key, value)
                SELECT inserted.id, tag.key, tag.value
                FROM inserted, unnest(\(tags.map(\.key))::text[], \(tags.map(\.value))::text[])
                     AS tag(key, value)
            )
            """
        return """
            WITH numbered AS (
                UPDATE registered_models
                SET last_version = last_version + 1, last_updated_timestamp = \(now), last_updated_by = \(item.actor)
                WHERE name = \(model)
                RETURNING id, last_version
            ), inserted AS (
                INSERT INTO model_versions (model_id, model_name, version, mlflow_run_id, stage, f1_score,
                                            brier_score, created_at, description, source, run_link,
                                            created_by, last_updated_by, creation_timestamp,
                                            last_updated_timestamp)
                SELECT numbered.id, \(model), numbered.last_version, \(version.runID), 'None',
                       \(version.f1Score)::float8, \(version.brierScore)::float8,
                       to_timestamp(\(now) / 1000.0) AT TIME ZONE 'UTC', \(version.description), \(version.source),
                       \(version.runLink), \(item.actor), \(item.actor), \(now), \(now)
                FROM numbered
                RETURNING *
            )\(fragment: tagging)
            SELECT \(fragment: .versionColumns), \(fragment: RegistryNotification.changedNotice(model: model))
            FROM inserted v
            """
    }

    /// Numbers, rows and tags of a batch in one statement, values as arrays.
    private static func batchCreate(_ items: [VersionCreation], of model: String, at now: Int64) -> PostgresQuery {
        let count = items.count
        let versions = items.map(\.version)
        var tagOrdinals: [Int] = []
        var tagKeys: [String] = []
        var tagValues: [String] = []
        for (index, version) in versions.enumerated() {
            for (key, value) in version.tags {
                tagOrdinals.append(index + 1)
                tagKeys.append(key)
                tagValues.append(value)
            }
        }
        return """
            WITH numbered AS (
                UPDATE registered_models
                SET last_version = last_version + \(count), last_updated_timestamp = \(now),
                    last_updated_by = \(items[count - 1].actor)
                WHERE name = \(model)
                RETURNING id, last_version - \(count) AS base
            ), item AS (
                SELECT * FROM unnest(\(versions.map(\.runID))::text[], \(versions.map(\.source))::text[],
                                     \(versions.map(\.runLink))::text[], \(versions.map(\.description))::text[],
                                     \(versions.map { $0.f1Score ?? 0 })::float8[],
                                     \(versions.map { $0.f1Score != nil })::bool[],
                                     \(versions.map { $0.brierScore ?? 0 })::float8[],
                                     \(versions.map { $0.brierScore != nil })::bool[],
                                     \(items.map(\.actor))::text[])
                    WITH ORDINALITY AS item(run_id, source, run_link, description, f1, has_f1, brier, has_brier,
                                            actor, ordinal)
            ), inserted AS (
                INSERT INTO model_versions (model_id, model_name, version, mlflow_run_id, stage, f1_score,
                                            brier_score, created_at, description, source, run_link,
                                            created_by, last_updated_by, creation_timestamp,
                                            last_updated_timestamp)
                SELECT numbered.id, \(model), numbered.base + item.ordinal, item.run_id, 'None',
                       CASE WHEN item.has_f1 THEN item.f1 END, CASE WHEN item.has_brier THEN item.brier END,
                       to_timestamp(\(now) / 1000.0) AT TIME ZONE 'UTC', item.description, item.source,
                       item.run_link, item.actor, item.actor, \(now), \(now)
                FROM numbered, item
                RETURNING *
            ), tagged AS (
                INSERT INTO model_version_tags (version_id, key, value)
                SELECT inserted.id, tag.key, tag.value
                FROM numbered, inserted,
                     unnest(\(tagOrdinals)::int[], \(tagKeys)::text[], \(tagValues)::text[]) AS tag(ordinal, key, value)
                WHERE inserted.version = numbered.base + tag.ordinal
            )
            SELECT \(fragment: .versionColumns), \(fragment: RegistryNotification.changedNotice(model: model))
            FROM inserted v ORDER BY v.version
            """
    }

    func getVersion(name: String, version: Int64) async throws -> ModelVersion {
        try await single { connection in
            let rows = try connection.query(
                """
                SELECT \(fragment: .versionColumns)
                FROM registered_models m JOIN model_versions v ON v.model_id = m.id
                WHERE m.name = \(name) AND v.version = \(version)
                """
            )
            guard rows.count == 1 else {
                throw try connection.modelExists(name)
                    ? RegistryErrors.versionNotFound(name, version) : RegistryErrors.modelNotFound(name)
            }
            return try VersionRow.decode(rows, row: 0).version
        }
    }

    func updateVersion(name: String, version: Int64, description: String?, by actor: String) async throws
        -> ModelVersion
    {
        try await write(name) { connection in
            let model = try connection.lockModel(name)
            _ = try connection.version(name, version, of: model.id)
            try connection.query(
                """
                UPDATE model_versions
                SET description = coalesce(\(description), description), last_updated_by = \(actor),
                    last_updated_timestamp = \(Self.now())
                WHERE model_id = \(model.id) AND version = \(version)
                """
            )
            return try connection.version(name, version, of: model.id).version
        }
    }

    /// Hides the version from every read; its number stays used. Its aliases
    /// go with it, each recorded in the history.
    func deleteVersion(name: String, version: Int64, by actor: String) async throws {
        try await write(name) { connection in
            let model = try connection.lockModel(name)
            let existing = try connection.version(name, version, of: model.id).version
            let now = Self.now()
            for alias in existing.aliases {
                try connection.recordAlias(
                    .aliasDeleted,
                    alias,
                    version: version,
                    of: model,
                    by: actor,
                    at: now,
                    comment: "deleted with its version"
                )
            }
            try connection.query(
                "DELETE FROM registered_model_aliases WHERE model_id = \(model.id) AND version = \(version)"
            )
            try connection.query("DELETE FROM model_versions WHERE model_id = \(model.id) AND version = \(version)")
            try connection.query(
                """
                UPDATE registered_models SET last_updated_timestamp = \(now), last_updated_by = \(actor)
                WHERE id = \(model.id)
                """
            )
            try connection.notify(.deleted(.init(existing, modelID: model.id)))
        }
    }

    func setVersionTag(name: String, version: Int64, key: String, value: String) async throws {
        try await write(name) { connection in
            let model = try connection.lockModel(name)
            _ = try connection.version(name, version, of: model.id)
            try connection.query(
                """
                INSERT INTO model_version_tags (version_id, key, value)
                SELECT id, \(key), \(value) FROM model_versions WHERE model_id = \(model.id) AND version = \(version)
                ON CONFLICT (version_id, key) DO UPDATE SET value = excluded.value
                """
            )
        }
    }

    func deleteVersionTag(name: String, version: Int64, key: String) async throws {
        try await write(name) { connection in
            let model = try connection.lockModel(name)
            _ = try connection.version(name, version, of: model.id)
            try connection.query(
                """
                DELETE FROM model_version_tags
                WHERE key = \(key)
                  AND version_id = (SELECT id FROM model_versions WHERE model_id = \(model.id) AND version = \(version))
                """
            )
        }
    }
}
