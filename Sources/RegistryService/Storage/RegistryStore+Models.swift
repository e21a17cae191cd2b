import Foundation
import MLOpsMessages
import MLOpsPostgres
import RegistryRules

extension RegistryStore {
    func createModel(name: String, description: String, tags: [String: String], by actor: String) async throws
        -> RegisteredModel
    {
        try await write(name) { connection in
            try Self.insertModel(name: name, description: description, tags: tags, by: actor, connection)
        }
    }

    /// The model and its tags, in the caller's transaction.
    static func insertModel(
        name: String,
        description: String,
        tags: [String: String],
        by actor: String,
        _ connection: PostgresConnection
    ) throws -> RegisteredModel {
        let now = now()
        let rows = try connection.query(
            """
            INSERT INTO registered_models (name, description, created_by, last_updated_by,
                                           creation_timestamp, last_updated_timestamp)
            VALUES (\(name), \(description), \(actor), \(actor), \(now), \(now))
            ON CONFLICT (name) DO NOTHING
            RETURNING id
            """
        )
        guard rows.count == 1, let id = try rows.value(UUID.self, row: 0, column: 0) else {
            throw RegistryErrors.modelExists(name)
        }
        for (key, value) in tags {
            try connection.query(
                "INSERT INTO registered_model_tags (model_id, key, value) VALUES (\(id), \(key), \(value))"
            )
        }
        return try connection.registeredModels(where: "m.id = \(id)")[0]
    }

    func getModel(name: String) async throws -> RegisteredModel {
        try await read { connection in
            guard let model = try connection.registeredModels(where: "m.name = \(name)").first else {
                throw RegistryErrors.modelNotFound(name)
            }
            return model
        }
    }

    func updateModel(name: String, description: String?, by actor: String) async throws -> RegisteredModel {
        try await write(name) { connection in
            let model = try connection.lockModel(name)
            try connection.query(
                """
                UPDATE registered_models
                SET description = coalesce(\(description), description), last_updated_by = \(actor),
                    last_updated_timestamp = \(Self.now())
                WHERE id = \(model.id)
                """
            )
            return try connection.registeredModels(where: "m.id = \(model.id)")[0]
        }
    }

    func renameModel(name: String, to newName: String, by actor: String) async throws -> RegisteredModel {
        try await write(name, newName) { connection in
            let model = try connection.lockModel(name)
            let taken = try connection.query("SELECT 1 FROM registered_models WHERE name = \(newName)")
            guard taken.count == 0 else { throw RegistryErrors.modelExists(newName) }
            try connection.query(
                """
                UPDATE registered_models
                SET name = \(newName), last_updated_by = \(actor), last_updated_timestamp = \(Self.now())
                WHERE id = \(model.id)
                """
            )
            try connection.query("UPDATE model_versions SET model_name = \(newName) WHERE model_id = \(model.id)")
            return try connection.registeredModels(where: "m.id = \(model.id)")[0]
        }
    }

    /// Removes the model and its versions; watchers hear of each version.
    func deleteModel(name: String) async throws {
        try await write(name) { connection in
            let model = try connection.lockModel(name)
            let rows = try connection.query(
                "SELECT \(fragment: .versionColumns) FROM model_versions v WHERE v.model_id = \(model.id)"
            )
            for version in try VersionRow.decodeAll(rows) {
                try connection.notify(.deleted(.init(version, modelID: model.id)))
            }
            try connection.query("DELETE FROM registered_models WHERE id = \(model.id)")
        }
    }

    func setModelTag(name: String, key: String, value: String) async throws {
        try await write(name) { connection in
            let model = try connection.lockModel(name)
            try connection.query(
                """
                INSERT INTO registered_model_tags (model_id, key, value) VALUES (\(model.id), \(key), \(value))
                ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value
                """
            )
        }
    }

    func deleteModelTag(name: String, key: String) async throws {
        try await write(name) { connection in
            let model = try connection.lockModel(name)
            try connection.query("DELETE FROM registered_model_tags WHERE model_id = \(model.id) AND key = \(key)")
        }
    }
}

extension PostgresConnection {
    private static let modelTags = PostgresQuery(
        stringLiteral: TagPairs.select(from: "registered_model_tags", where: "t.model_id = m.id")
    )

    /// Registered models matching `condition` on `registered_models m`, in
    /// `order`, each with its tags, aliases and latest version per stage.
    func registeredModels(
        where condition: PostgresQuery,
        orderBy order: String = "m.name",
        limit: Int = 1000
    ) throws -> [RegisteredModel] {
        let rows = try query(
            """
            SELECT m.id, m.name, m.creation_timestamp, m.last_updated_timestamp, m.description, m.created_by,
                   \(fragment: Self.modelTags),
                   coalesce((SELECT json_agg(json_build_object('alias', a.alias, 'version', a.version)
                                             ORDER BY a.alias)
                             FROM registered_model_aliases a WHERE a.model_id = m.id), '[]')
            FROM (
                -- The page first, then its tags and aliases: asked of every
                -- matching row before the sort, they made a page in
                -- last-update order of 100,000 models take 125 ms.
                SELECT * FROM registered_models m
                WHERE \(fragment: condition)
                ORDER BY \(fragment: PostgresQuery(stringLiteral: order))
                LIMIT \(limit)
            ) m
            ORDER BY \(fragment: PostgresQuery(stringLiteral: order))
            """
        )
        var models: [RegisteredModel] = []
        var ids: [UUID] = []
        for row in 0..<rows.count {
            var model = RegisteredModel()
            ids.append(try rows.value(UUID.self, row: row, column: 0)!)
            model.name = rows.text(row: row, column: 1) ?? ""
            model.creationTimestamp = try rows.value(Int64.self, row: row, column: 2) ?? 0
            model.lastUpdatedTimestamp = try rows.value(Int64.self, row: row, column: 3) ?? 0
            model.description = rows.text(row: row, column: 4) ?? ""
            model.createdBy = rows.text(row: row, column: 5) ?? ""
            model.tags = TagPairs.dictionary(try rows.value([String].self, row: row, column: 6) ?? [])
            let aliases = try rows.value(PostgresJSON<[AliasJSON]>.self, row: row, column: 7)?.value ?? []
            model.aliases = aliases.map { RegisteredModelAlias(alias: $0.alias, version: $0.version) }
            models.append(model)
        }
        guard !ids.isEmpty else { return [] }
        let latest = try latestVersions(ofModels: ids, stages: Stage.allCases.map(\.rawValue))
        for index in models.indices {
            models[index].latestVersions = latest[ids[index]] ?? []
        }
        return models
    }

    /// For each model, the live version with the highest number in each of
    /// `stages`, in stage order None, Staging, Production, Archived: one
    /// index probe per model and stage (`model_versions_stage`), however many
    /// versions a model has. (DISTINCT ON read every version of the page's
    /// models: a page holding a model of 10,000 versions took seconds.)
    func latestVersions(ofModels ids: [UUID], stages: [String]) throws -> [UUID: [ModelVersion]] {
        let rows = try query(
            """
            SELECT \(fragment: .versionColumns)
            FROM unnest(\(ids)::uuid[]) AS m(id) CROSS JOIN unnest(\(stages)::text[]) AS s(stage)
            CROSS JOIN LATERAL (
                SELECT * FROM model_versions v
                WHERE v.model_id = m.id AND v.stage = s.stage
                ORDER BY v.version DESC LIMIT 1
            ) v
            """
        )
        var latest: [UUID: [ModelVersion]] = [:]
        for row in 0..<rows.count {
            let decoded = try VersionRow.decode(rows, row: row)
            latest[decoded.modelID, default: []].append(decoded.version)
        }
        return latest.mapValues(Stage.sortedByStage)
    }
}

private struct AliasJSON: Codable, Sendable {
    var alias: String
    var version: Int64
}
