import Foundation
import MLOpsMessages
import MLOpsPostgres

/// What one NOTIFY on `RegistryStore.channel` says. A transition names its
/// history row, which the hub reads after the commit; a deleted version can
/// no longer be read, so the essentials travel in the payload (which
/// PostgreSQL caps at 8000 bytes). The JSON is flat —
/// `{"kind": "transition", "model": "m", "id": 42}` — so SQL can write it too.
enum RegistryNotification: Codable, Equatable {
    case transition(Int64, model: String)
    case deleted(DeletedVersion)
    /// Any other write: caches of the model's reads are stale.
    case changed(model: String)

    /// The model the news is about (its name when the write committed).
    var model: String {
        switch self {
        case .transition(_, let model), .changed(let model): model
        case .deleted(let version): version.name
        }
    }

    struct DeletedVersion: Codable, Equatable {
        var name: String
        var version: Int64
        var stage: String
        var source: String
        var runID: String
        var modelID: String

        init(_ version: ModelVersion, modelID: UUID) {
            self.name = version.name
            self.version = version.version
            self.stage = version.currentStage
            self.source = String(version.source.prefix(1000))
            self.runID = String(version.runId.prefix(500))
            self.modelID = modelID.uuidString.lowercased()
        }

        var modelVersion: ModelVersion {
            var version = ModelVersion()
            version.name = name
            version.version = self.version
            version.currentStage = stage
            version.source = source
            version.runId = runID
            version.status = .ready
            return version
        }
    }

    private enum CodingKeys: String, CodingKey { case kind, model, id, deleted }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let model = try container.decode(String.self, forKey: .model)
        switch try container.decode(String.self, forKey: .kind) {
        case "transition": self = .transition(try container.decode(Int64.self, forKey: .id), model: model)
        case "deleted": self = .deleted(try container.decode(DeletedVersion.self, forKey: .deleted))
        default: self = .changed(model: model)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        switch self {
        case .transition(let id, _):
            try container.encode("transition", forKey: .kind)
            try container.encode(id, forKey: .id)
        case .deleted(let version):
            try container.encode("deleted", forKey: .kind)
            try container.encode(version, forKey: .deleted)
        case .changed:
            try container.encode("changed", forKey: .kind)
        }
    }

    var payload: String {
        String(decoding: try! JSONEncoder().encode(self), as: UTF8.self)
    }

    init?(payload: String) {
        guard let decoded = try? JSONDecoder().decode(Self.self, from: Data(payload.utf8)) else { return nil }
        self = decoded
    }
}

extension RegistryNotification {
    /// The notice of a transition whose history row id is in `idColumn`,
    /// as a select item of the statement that writes the row: the JSON
    /// `payload` gives `.transition`, built in SQL.
    static func transitionNotice(idColumn: String, model: String) -> PostgresQuery {
        let id = PostgresQuery(stringLiteral: idColumn)
        return """
            pg_notify(\(RegistryStore.channel),
                      json_build_object('kind', 'transition', 'id', \(fragment: id), 'model', \(model)::text)::text)
            """
    }

    /// The notice of `.changed(model:)`, as a select item.
    static func changedNotice(model: String) -> PostgresQuery {
        "pg_notify(\(RegistryStore.channel), json_build_object('kind', 'changed', 'model', \(model)::text)::text)"
    }
}
