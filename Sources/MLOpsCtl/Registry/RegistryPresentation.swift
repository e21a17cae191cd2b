import Foundation
import MLOpsMessages

/// How registry entities are shown: a table by default, JSON with `--json`.
enum RegistryPresentation {
    static func print(_ models: [RegisteredModel], json: Bool, nextPageToken: String = "") {
        if json {
            Swift.print(JSONValue.array(models.map(self.json)).render())
        } else {
            var table = Table("NAME", "LATEST VERSIONS", "ALIASES", "UPDATED", "CREATED BY", "DESCRIPTION")
            for model in models {
                table.add(
                    model.name,
                    model.latestVersions.map { "\($0.currentStage):v\($0.version)" }.joined(separator: " "),
                    model.aliases.map { "\($0.alias)→v\($0.version)" }.joined(separator: " "),
                    time(model.lastUpdatedTimestamp),
                    model.createdBy,
                    model.description
                )
            }
            Swift.print(table.render())
        }
        notePageToken(nextPageToken)
    }

    static func print(_ versions: [ModelVersion], json: Bool, nextPageToken: String = "") {
        if json {
            Swift.print(JSONValue.array(versions.map(self.json)).render())
        } else {
            var table = Table("MODEL", "VERSION", "STAGE", "ALIASES", "F1", "UPDATED", "CREATED BY", "SOURCE")
            for version in versions {
                table.add(
                    version.name,
                    String(version.version),
                    version.currentStage,
                    version.aliases.joined(separator: " "),
                    version.f1Score.map { String(format: "%.4f", $0) } ?? "",
                    time(version.lastUpdatedTimestamp),
                    version.createdBy,
                    version.source
                )
            }
            Swift.print(table.render())
        }
        notePageToken(nextPageToken)
    }

    static func print(_ transitions: [Transition], json: Bool, nextPageToken: String = "") {
        if json {
            Swift.print(JSONValue.array(transitions.map(self.json)).render())
        } else {
            var table = Table("WHEN", "MODEL", "VERSION", "CHANGE", "BY", "DECISION", "COMMENT")
            for transition in transitions {
                table.add(
                    time(transition.timestamp),
                    transition.modelName,
                    String(transition.version),
                    change(transition),
                    transition.actor,
                    transition.decisionId,
                    transition.comment
                )
            }
            Swift.print(table.render())
        }
        notePageToken(nextPageToken)
    }

    static func change(_ transition: Transition) -> String {
        switch transition.kind {
        case .aliasSet: return "alias \(transition.alias) set"
        case .aliasDeleted: return "alias \(transition.alias) removed"
        default:
            let cause = transition.archivedByVersion != 0 ? " (by v\(transition.archivedByVersion))" : ""
            return "\(transition.fromStage) → \(transition.toStage)\(cause)"
        }
    }

    static func json(_ model: RegisteredModel) -> JSONValue {
        .object([
            ("name", .string(model.name)), ("description", .string(model.description)),
            ("created_by", .string(model.createdBy)), ("creation_timestamp", .integer(model.creationTimestamp)),
            ("last_updated_timestamp", .integer(model.lastUpdatedTimestamp)), ("tags", tags(model.tags)),
            ("aliases", .object(model.aliases.map { ($0.alias, .integer($0.version)) })),
            ("latest_versions", .array(model.latestVersions.map(json))),
        ])
    }

    static func json(_ version: ModelVersion) -> JSONValue {
        .object([
            ("name", .string(version.name)), ("version", .integer(version.version)),
            ("current_stage", .string(version.currentStage)),
            ("aliases", .array(version.aliases.map(JSONValue.string))),
            ("source", .string(version.source)), ("run_id", .string(version.runId)),
            ("run_link", .string(version.runLink)), ("description", .string(version.description)),
            ("status", .string(version.status == .ready ? "READY" : "\(version.status.rawValue)")),
            ("created_by", .string(version.createdBy)), ("creation_timestamp", .integer(version.creationTimestamp)),
            ("last_updated_timestamp", .integer(version.lastUpdatedTimestamp)),
            ("f1_score", version.f1Score.map(JSONValue.number) ?? .null),
            ("brier_score", version.brierScore.map(JSONValue.number) ?? .null),
            ("promoted_at", .integer(version.promotedAt)), ("promoted_by", .string(version.promotedBy)),
            ("tags", tags(version.tags)),
        ])
    }

    static func json(_ transition: Transition) -> JSONValue {
        .object([
            ("id", .integer(transition.id)), ("kind", .string(kind(transition.kind))),
            ("model_name", .string(transition.modelName)), ("model_id", .string(transition.modelId)),
            ("version", .integer(transition.version)), ("from_stage", .string(transition.fromStage)),
            ("to_stage", .string(transition.toStage)), ("alias", .string(transition.alias)),
            ("actor", .string(transition.actor)), ("comment", .string(transition.comment)),
            ("decision_id", .string(transition.decisionId)),
            ("archived_by_version", .integer(transition.archivedByVersion)),
            ("timestamp", .integer(transition.timestamp)),
        ])
    }

    static func kind(_ kind: TransitionKind) -> String {
        switch kind {
        case .stage: "stage"
        case .aliasSet: "alias_set"
        case .aliasDeleted: "alias_deleted"
        default: "unknown"
        }
    }

    private static func tags(_ tags: [String: String]) -> JSONValue {
        .object(tags.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }

    static func time(_ milliseconds: Int64) -> String {
        guard milliseconds > 0 else { return "" }
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

}
