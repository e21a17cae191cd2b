import Foundation
import MLOpsMessages
import MLOpsPostgres
import RegistryRules

extension RegistryStore {
    /// Points `alias` at `version`, moving it if it pointed elsewhere; each
    /// move is recorded (the old version losing it, the new one gaining it).
    func setAlias(name: String, alias: String, version: Int64, by actor: String) async throws {
        try await write(name) { connection in
            let model = try connection.lockModel(name)
            _ = try connection.version(name, version, of: model.id)
            let previous = try connection.query(
                "SELECT version FROM registered_model_aliases WHERE model_id = \(model.id) AND alias = \(alias)"
            )
            let previousVersion = previous.count == 1 ? try previous.value(Int64.self, row: 0, column: 0) : nil
            guard previousVersion != version else { return }
            try connection.query(
                """
                INSERT INTO registered_model_aliases (model_id, alias, version) VALUES (\(model.id), \(alias), \(version))
                ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version
                """
            )
            let now = Self.now()
            if let previousVersion {
                try connection.recordAlias(
                    .aliasDeleted,
                    alias,
                    version: previousVersion,
                    of: model,
                    by: actor,
                    at: now,
                    comment: "moved to version \(version)"
                )
            }
            try connection.recordAlias(.aliasSet, alias, version: version, of: model, by: actor, at: now)
        }
    }

    /// Deleting an alias the model does not have changes nothing.
    func deleteAlias(name: String, alias: String, by actor: String) async throws {
        try await write(name) { connection in
            let model = try connection.lockModel(name)
            let deleted = try connection.query(
                """
                DELETE FROM registered_model_aliases WHERE model_id = \(model.id) AND alias = \(alias)
                RETURNING version
                """
            )
            guard deleted.count == 1, let version = try deleted.value(Int64.self, row: 0, column: 0) else { return }
            try connection.recordAlias(.aliasDeleted, alias, version: version, of: model, by: actor, at: Self.now())
        }
    }

    /// The version an alias points at; `latest` (any case) is the highest live version. One statement.
    func version(name: String, alias: String) async throws -> ModelVersion {
        let query = RegistryReadCache.Query.alias(alias.lowercased() == Names.latestAlias ? Names.latestAlias : alias)
        let (cached, ticket) = cache.lookup(name, query)
        if case .version(let version) = cached { return version }
        let version = try await single { connection in
            let target: PostgresQuery =
                alias.lowercased() == Names.latestAlias
                ? "(SELECT max(l.version) FROM model_versions l WHERE l.model_id = m.id)"
                : "(SELECT a.version FROM registered_model_aliases a WHERE a.model_id = m.id AND a.alias = \(alias))"
            let rows = try connection.query(
                """
                SELECT \(fragment: .versionColumns)
                FROM registered_models m JOIN model_versions v ON v.model_id = m.id
                WHERE m.name = \(name) AND v.version = \(fragment: target)
                """
            )
            guard rows.count == 1 else {
                throw try connection.modelExists(name)
                    ? RegistryErrors.aliasNotFound(name, alias) : RegistryErrors.modelNotFound(name)
            }
            return try VersionRow.decode(rows, row: 0).version
        }
        cache.store(.version(version), for: name, query, ticket: ticket)
        return version
    }
}

extension PostgresConnection {
    /// The history row of an alias set on, or taken off, a version, in one
    /// statement: the row, the version's newest-news mark, and the notice
    /// every replica's watchers get once the transaction commits.
    func recordAlias(
        _ kind: TransitionKind,
        _ alias: String,
        version: Int64,
        of model: LockedModel,
        by actor: String,
        at timestamp: Int64,
        comment: String = ""
    ) throws {
        try query(
            """
            WITH history AS (
                INSERT INTO model_transitions (kind, model_id, model_name, version, alias, actor, comment, timestamp)
                VALUES (\(TransitionRow.kind(kind)), \(model.id), \(model.name), \(version), \(alias), \(actor),
                        \(comment), \(timestamp))
                RETURNING id
            ), marked AS (
                UPDATE model_versions v SET last_transition_id = history.id
                FROM history WHERE v.model_id = \(model.id) AND v.version = \(version)
            )
            SELECT \(fragment: RegistryNotification.transitionNotice(idColumn: "id", model: model.name))
            FROM history
            """
        )
    }
}
