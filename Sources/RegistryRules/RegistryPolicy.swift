/// Who may change what, by certificate identity (the subject CN). Reads are
/// open to any authenticated caller, so only writes appear here.
package struct RegistryPolicy: Codable, Equatable, Sendable {
    /// Any authenticated identity.
    package static let anyone = "*"

    /// Create, update, rename and delete registered models and their tags.
    package var modelWriters: Set<String>
    /// Create, update and delete versions and their tags.
    package var versionWriters: Set<String>
    /// Set and delete aliases.
    package var aliasWriters: Set<String>
    /// Who may move a version into each stage, by the stage's name.
    package var stageWriters: [String: Set<String>]

    package init(
        modelWriters: Set<String>,
        versionWriters: Set<String>,
        aliasWriters: Set<String>,
        stageWriters: [Stage: Set<String>]
    ) {
        self.modelWriters = modelWriters
        self.versionWriters = versionWriters
        self.aliasWriters = aliasWriters
        self.stageWriters = Dictionary(uniqueKeysWithValues: stageWriters.map { ($0.key.rawValue, $0.value) })
    }

    /// Only the gate and an admin move versions into Production (or archive
    /// them, or point aliases, which serving code follows); trainers create
    /// models and versions and move them to Staging.
    package static let `default` = RegistryPolicy(
        modelWriters: ["admin", "trainer"],
        versionWriters: ["admin", "trainer"],
        aliasWriters: ["admin", "retraining-gate"],
        stageWriters: [
            .none: ["admin", "trainer", "retraining-gate"],
            .staging: ["admin", "trainer", "retraining-gate"],
            .production: ["admin", "retraining-gate"],
            .archived: ["admin", "retraining-gate"],
        ]
    )

    package enum Action: Equatable, Sendable, CustomStringConvertible {
        case writeModel, writeVersion, writeAlias
        case moveTo(Stage)

        package var description: String {
            switch self {
            case .writeModel: "change registered models"
            case .writeVersion: "change model versions"
            case .writeAlias: "change aliases"
            case .moveTo(let stage): "move versions to \(stage.rawValue)"
            }
        }
    }

    package func permits(_ identity: String, to action: Action) -> Bool {
        let allowed: Set<String> =
            switch action {
            case .writeModel: modelWriters
            case .writeVersion: versionWriters
            case .writeAlias: aliasWriters
            case .moveTo(let stage): stageWriters[stage.rawValue] ?? []
            }
        return allowed.contains(Self.anyone) || allowed.contains(identity)
    }

    /// Stage names in the configuration must be the four, spelled canonically.
    package func validated() throws(InvalidRegistryInput) -> RegistryPolicy {
        for name in stageWriters.keys where Stage(rawValue: name) == nil {
            throw InvalidRegistryInput("Unknown stage '\(name)' in the policy's stage_writers.")
        }
        return self
    }
}
