import MLOpsMessages
import MLOpsPostgres

/// How a history row is read.
enum TransitionRow {
    static let columns = """
        t.id, t.kind, t.model_name, t.model_id, t.version, t.from_stage, t.to_stage, t.alias, t.actor,
        t.comment, t.decision_id, t.archived_by_version, t.timestamp
        """

    static func kind(_ kind: TransitionKind) -> String {
        switch kind {
        case .aliasSet: "alias_set"
        case .aliasDeleted: "alias_deleted"
        default: "stage"
        }
    }

    static func decode(_ rows: PostgresRows, row: Int) throws -> Transition {
        func string(_ column: Int) -> String { rows.text(row: row, column: column) ?? "" }
        func integer(_ column: Int) throws -> Int64 { try rows.value(Int64.self, row: row, column: column) ?? 0 }
        var transition = Transition()
        transition.id = try integer(0)
        transition.kind =
            switch string(1) {
            case "alias_set": .aliasSet
            case "alias_deleted": .aliasDeleted
            default: .stage
            }
        transition.modelName = string(2)
        transition.modelId = string(3)
        transition.version = try integer(4)
        transition.fromStage = string(5)
        transition.toStage = string(6)
        transition.alias = string(7)
        transition.actor = string(8)
        transition.comment = string(9)
        transition.decisionId = string(10)
        transition.archivedByVersion = try integer(11)
        transition.timestamp = try integer(12)
        return transition
    }

    static func decodeAll(_ rows: PostgresRows) throws -> [Transition] {
        try (0..<rows.count).map { try decode(rows, row: $0) }
    }
}

extension PostgresQuery {
    /// `TransitionRow.columns`, to interpolate as a fragment.
    static let transitionColumns = PostgresQuery(stringLiteral: TransitionRow.columns)
}
