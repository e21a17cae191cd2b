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
                _ = try connection.recordTransition(
                    Transition(
                        kind: .aliasDeleted,
                        modelName: name,
                        version: previousVersion,
                        alias: alias,
                        actor: actor,
                        comment: "moved to version \(version)",
                        timestamp: now
                    ),
                    modelID: model.id
                )
            }
            _ = try connection.recordTransition(
                Transition(
                    kind: .aliasSet,
                    modelName: name,
                    version: version,
                    alias: alias,
                    actor: actor,
                    timestamp: now
                ),
                modelID: model.id
            )
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
            _ = try connection.recordTransition(
                Transition(
                    kind: .aliasDeleted,
                    modelName: name,
                    version: version,
                    alias: alias,
                    actor: actor,
                    timestamp: Self.now()
                ),
                modelID: model.id
            )
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
