import ArgumentParser
import MLOpsClient
import MLOpsMessages

/// `mlopsctl registry …`: every ModelRegistry RPC.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Registered models, versions, stages, aliases, tags and their history.",
        discussion: """
            Examples:
              mlopsctl registry create-model credit-risk-model --description "Scores loan applications"
              mlopsctl registry create-version credit-risk-model --source s3://models/credit/7 --f1 0.81
              mlopsctl registry transition credit-risk-model 7 Production --archive-existing
              mlopsctl registry latest credit-risk-model --stage Production
              mlopsctl registry search-versions --filter "name = 'credit-risk-model' AND version_number > 3"
              mlopsctl registry history credit-risk-model --json
            Connection: --address (or MLOPS_REGISTRY_ADDRESS), --ca/--cert/--key (or MLOPS_TLS_CA/CERT/KEY).
            """,
        subcommands: [
            CreateModel.self, GetModel.self, UpdateModel.self, RenameModel.self, DeleteModel.self, SearchModels.self,
            SetModelTag.self, DeleteModelTag.self, CreateVersion.self, GetVersion.self, UpdateVersion.self,
            DeleteVersion.self, SearchVersions.self, SetVersionTag.self, DeleteVersionTag.self, Transition.self,
            Latest.self, SetAlias.self, DeleteAlias.self, GetByAlias.self, History.self, Watch.self,
        ]
    )

    /// The registry's port when nothing says otherwise (services/model-registry/config.json).
    static let defaultPort = 7001

    static func call(
        _ connection: ConnectionOptions,
        _ body: (ModelRegistryClient) async throws -> Void
    ) async throws {
        let client = try connection.client(service: "registry", defaultPort: defaultPort)
        try await withService("model-registry", client, wrap: ModelRegistryClient.init, body)
    }
}

/// `key=value` pairs given as repeated `--tag` options.
func parseTags(_ pairs: [String]) throws -> [String: String] {
    var tags: [String: String] = [:]
    for pair in pairs {
        guard let equals = pair.firstIndex(of: "=") else {
            throw ValidationError("--tag takes key=value, not '\(pair)'")
        }
        tags[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    }
    return tags
}
