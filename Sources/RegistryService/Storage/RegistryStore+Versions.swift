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

extension RegistryStore {
    /// The next number is the model's highest ever plus one, taken under the
    /// model's row lock: concurrent creates queue, never collide. One
    /// statement (its own transaction), so the lock is held for as short a
    /// time as a commit allows.
    func createVersion(_ new: NewVersion, by actor: String) async throws -> ModelVersion {
        let now = Self.now()
        let keys = Array(new.tags.keys)
        let values = keys.map { new.tags[$0]! }
        let changed = RegistryNotification.changed(model: new.name).payload
        defer { cache.invalidate(new.name) }
        return try await single { connection in
            let rows = try connection.query(
                """
                WITH numbered AS (
                    UPDATE registered_models
                    SET last_version = last_version + 1, last_updated_timestamp = \(now), last_updated_by = \(actor)
                    WHERE name = \(new.name)
                    RETURNING id, last_version
                ), inserted AS (
                    INSERT INTO model_versions (model_id, model_name, version, mlflow_run_id, stage, f1_score,
                                                brier_score, created_at, description, source, run_link, created_by,
                                                last_updated_by, creation_timestamp, last_updated_timestamp)
                    SELECT id, \(new.name), last_version, \(new.runID), 'None', \(new.f1Score)::float8,
                           \(new.brierScore)::float8, to_timestamp(\(now) / 1000.0) AT TIME ZONE 'UTC',
                           \(new.description), \(new.source), \(new.runLink), \(actor), \(actor), \(now), \(now)
                    FROM numbered
                    RETURNING *
                ), tagged AS (
                    INSERT INTO model_version_tags (version_id, key, value)
                    SELECT inserted.id, tag.key, tag.value
                    FROM inserted, unnest(\(keys)::text[], \(values)::text[]) AS tag(key, value)
                )
                SELECT \(fragment: .versionColumns), pg_notify(\(Self.channel), \(changed)) FROM inserted v
                """
            )
            guard rows.count == 1 else { throw RegistryErrors.modelNotFound(new.name) }
            // The statement cannot see its own tag rows: they are the ones given.
            var version = try VersionRow.decode(rows, row: 0).version
            version.tags = new.tags
            return version
        }
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
                _ = try connection.recordTransition(
                    Transition(
                        kind: .aliasDeleted,
                        modelName: name,
                        version: version,
                        alias: alias,
                        actor: actor,
                        comment: "deleted with its version",
                        timestamp: now
                    ),
                    modelID: model.id
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
