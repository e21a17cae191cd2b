import Foundation
import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC
package import RegistryRules

/// A validated search: what to match, and which page in which order.
struct SearchRequest: Sendable {
    var filter = SearchFilter(conditions: [])
    var paging: PageRequest<PageToken>

    var order: SearchOrder { paging.context }

    /// The page out of rows fetched with `paging.fetchLimit`.
    func page<Item>(_ fetched: [Item], sortValue: (Item, SearchOrder.Key) -> PageToken.SortValue) -> Page<Item> {
        paging.page(fetched) { last in PageToken(values: order.terms.map { sortValue(last, $0.key) }) }
    }
}

/// A registry page token is bound to the order of the search that made it.
extension PageToken: PageCursor {
    package init?(token: String, context order: SearchOrder) {
        guard let decoded = try? PageToken(decoding: token, for: order) else { return nil }
        self = decoded
    }

    package func token(context order: SearchOrder) -> String { encoded(for: order) }
}

extension RegistryStore {
    func searchModels(_ search: SearchRequest) async throws -> Page<RegisteredModel> {
        try await read { connection in
            let plan = SearchSQL(subject: .models, search: search)
            let models = try connection.registeredModels(
                where: plan.condition,
                orderBy: plan.orderBy,
                limit: search.paging.fetchLimit
            )
            return search.page(models) { model, key in
                key == .name ? .string(model.name) : .integer(model.lastUpdatedTimestamp)
            }
        }
    }

    func searchVersions(_ search: SearchRequest) async throws -> Page<ModelVersion> {
        try await read { connection in
            let plan = SearchSQL(subject: .versions, search: search)
            let rows = try connection.query(
                """
                SELECT \(fragment: .versionColumns) FROM model_versions v
                WHERE \(fragment: plan.condition)
                ORDER BY \(fragment: PostgresQuery(stringLiteral: plan.orderBy))
                LIMIT \(search.paging.fetchLimit)
                """
            )
            return search.page(try VersionRow.decodeAll(rows)) { version, key in
                switch key {
                case .name: .string(version.name)
                case .versionNumber: .integer(version.version)
                case .creationTimestamp: .integer(version.creationTimestamp)
                default: .integer(version.lastUpdatedTimestamp)
                }
            }
        }
    }

    /// A model's (or one version's) stage and alias changes, newest first.
    /// A deleted model's history stays readable by its name.
    func transitions(name: String, version: Int64, page: PageRequest<PageToken>) async throws -> Page<Transition> {
        try await read { connection in
            let ids = try connection.query("SELECT id FROM registered_models WHERE name = \(name)")
            var condition: PostgresQuery =
                ids.count == 1
                ? "t.model_id = \(try ids.value(UUID.self, row: 0, column: 0)!)"
                : "t.model_name = \(name)"
            if version != 0 { condition.append(" AND t.version = \(version)") }
            if case .integer(let lastID) = page.after?.values.first { condition.append(" AND t.id < \(lastID)") }
            let rows = try connection.query(
                """
                SELECT \(fragment: .transitionColumns) FROM model_transitions t
                WHERE \(fragment: condition) ORDER BY t.id DESC LIMIT \(page.fetchLimit)
                """
            )
            if rows.count == 0, ids.count == 0 { throw RegistryErrors.modelNotFound(name) }
            return page.page(try TransitionRow.decodeAll(rows)) { PageToken(values: [.integer($0.id)]) }
        }
    }
}

/// A search turned into SQL: the filter's conditions and the keyset
/// condition over `registered_models m` or `model_versions v`, and the order.
/// Column names come from code only; every value is a bind.
struct SearchSQL {
    let subject: SearchFilter.Subject
    let search: SearchRequest

    var condition: PostgresQuery {
        var parts = search.filter.conditions.map(sql)
        if let after = search.paging.after { parts.append(keyset(after)) }
        return parts.isEmpty ? "true" : PostgresQuery.joined(parts, separator: " AND ")
    }

    var orderBy: String {
        search.order.terms.map { "\(column($0.key)) \($0.ascending ? "ASC" : "DESC")" }.joined(separator: ", ")
    }

    private func column(_ key: SearchOrder.Key) -> String {
        switch (subject, key) {
        case (_, .historyID): "t.id"
        case (.models, .name): "m.name"
        case (.models, _): "m.last_updated_timestamp"
        case (.versions, .name): "v.model_name"
        case (.versions, .versionNumber): "v.version"
        case (.versions, .creationTimestamp): "v.creation_timestamp"
        case (.versions, .lastUpdatedTimestamp): "v.last_updated_timestamp"
        }
    }

    /// Rows strictly after the token's, in the order's terms: (a > x) OR (a = x AND b < y) OR ...
    private func keyset(_ token: PageToken) -> PostgresQuery {
        var alternatives: [PostgresQuery] = []
        for (index, term) in search.order.terms.enumerated() {
            var parts: [PostgresQuery] = []
            for (earlier, value) in zip(search.order.terms.prefix(index), token.values) {
                parts.append(comparison(column(earlier.key), "=", value))
            }
            parts.append(comparison(column(term.key), term.ascending ? ">" : "<", token.values[index]))
            alternatives.append("(\(fragment: PostgresQuery.joined(parts, separator: " AND ")))")
        }
        return "(\(fragment: PostgresQuery.joined(alternatives, separator: " OR ")))"
    }

    /// `column op value`; `op` comes from code, the value is a bind.
    private func comparison(_ column: String, _ op: String, _ value: PageToken.SortValue) -> PostgresQuery {
        var query = PostgresQuery(stringLiteral: "\(column) \(op) ")
        switch value {
        case .string(let text): query.append("\(text)::text")
        case .integer(let number): query.append("\(number)::bigint")
        }
        return query
    }

    private func sql(_ condition: SearchFilter.Condition) -> PostgresQuery {
        let target: String
        switch condition.field {
        case .tag(let key):
            let table =
                subject == .models
                ? "registered_model_tags t WHERE t.model_id = m.id" : "model_version_tags t WHERE t.version_id = v.id"
            var query = PostgresQuery(stringLiteral: "EXISTS (SELECT 1 FROM \(table) AND t.key = ")
            query.append("\(key) AND ")
            query.append(compare("t.value", condition))
            query.append(")")
            return query
        case .name: target = subject == .models ? "m.name" : "v.model_name"
        case .runID: target = "v.mlflow_run_id"
        case .sourcePath: target = "v.source"
        case .versionNumber: target = "v.version"
        }
        return compare(target, condition)
    }

    private func compare(_ column: String, _ condition: SearchFilter.Condition) -> PostgresQuery {
        switch condition.value {
        case .list(let items):
            var query = PostgresQuery(stringLiteral: column)
            query.append(condition.op == .notIn ? " <> ALL(\(items)::text[])" : " = ANY(\(items)::text[])")
            return query
        case .integer(let number):
            return comparison(column, condition.op == .notEqual ? "<>" : condition.op.rawValue, .integer(number))
        case .string(let text):
            return comparison(column, condition.op == .notEqual ? "<>" : condition.op.rawValue, .string(text))
        }
    }
}
