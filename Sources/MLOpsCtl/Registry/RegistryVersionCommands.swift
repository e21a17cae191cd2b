import ArgumentParser
import MLOpsClient
import MLOpsMessages

extension RegistryCommand {
    struct CreateVersion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a new version of a model.",
            discussion: "Example: mlopsctl registry create-version credit-risk-model --source s3://m/7 --f1 0.81"
        )
        @Argument var name: String
        @Option(help: "Where the model's files are.") var source = ""
        @Option var runId = ""
        @Option var runLink = ""
        @Option var description = ""
        @Option(help: "key=value, repeatable.") var tag: [String] = []
        @Option(help: "The F1 score the trainer measured.") var f1: Double?
        @Option(help: "The Brier score the trainer measured.") var brier: Double?
        @Option(help: "Makes a retry safe: the same key answers again instead of registering another version.")
        var idempotencyKey = ""
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let tags = try parseTags(tag)
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.createModelVersion(
                    .init(
                        name: name,
                        source: source,
                        runId: runId,
                        runLink: runLink,
                        description: description,
                        tags: tags,
                        f1Score: f1,
                        brierScore: brier,
                        idempotencyKey: idempotencyKey
                    ),
                    options: connection.callOptions
                )
                RegistryPresentation.print([response.modelVersion!], json: connection.json)
            }
        }
    }

    struct GetVersion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one version.",
            discussion: "Example: mlopsctl registry get-version credit-risk-model 7"
        )
        @Argument var name: String
        @Argument var version: Int64
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.getModelVersion(
                    .init(name: name, version: version),
                    options: connection.callOptions
                )
                RegistryPresentation.print([response.modelVersion!], json: connection.json)
            }
        }
    }

    struct UpdateVersion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a version's description.",
            discussion: "Example: mlopsctl registry update-version credit-risk-model 7 --description \"retrained\""
        )
        @Argument var name: String
        @Argument var version: Int64
        @Option var description: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.updateModelVersion(
                    .init(name: name, version: version, description: description),
                    options: connection.callOptions
                )
                RegistryPresentation.print([response.modelVersion!], json: connection.json)
            }
        }
    }

    struct DeleteVersion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a version (its number is never reused).",
            discussion: "Example: mlopsctl registry delete-version credit-risk-model 3"
        )
        @Argument var name: String
        @Argument var version: Int64
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                _ = try await registry.deleteModelVersion(
                    .init(name: name, version: version),
                    options: connection.callOptions
                )
                print("deleted \(name) v\(version)")
            }
        }
    }

    struct SearchVersions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search versions.",
            discussion: "Example: mlopsctl registry search-versions --filter \"run_id = 'abc' AND version_number >= 2\""
        )
        @Option(help: "Conditions joined by AND: name, run_id, source_path, version_number, tags.<key>.")
        var filter = ""
        @Option(help: "name, version_number, creation_timestamp or last_updated_timestamp, with ASC/DESC.")
        var orderBy: [String] = []
        @Option(help: "1-1000 (default 100).") var maxResults: Int32?
        @Option var pageToken = ""
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.searchModelVersions(
                    .init(filter: filter, maxResults: maxResults, orderBy: orderBy, pageToken: pageToken),
                    options: connection.callOptions
                )
                RegistryPresentation.print(
                    response.modelVersions,
                    json: connection.json,
                    nextPageToken: response.nextPageToken
                )
            }
        }
    }

    struct SetVersionTag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a tag on a version.",
            discussion: "Example: mlopsctl registry set-version-tag credit-risk-model 7 validated yes"
        )
        @Argument var name: String
        @Argument var version: Int64
        @Argument var key: String
        @Argument var value: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                _ = try await registry.setModelVersionTag(
                    .init(name: name, version: version, key: key, value: value),
                    options: connection.callOptions
                )
                print("\(name) v\(version): \(key)=\(value)")
            }
        }
    }

    struct DeleteVersionTag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a version's tag.",
            discussion: "Example: mlopsctl registry delete-version-tag credit-risk-model 7 validated"
        )
        @Argument var name: String
        @Argument var version: Int64
        @Argument var key: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                _ = try await registry.deleteModelVersionTag(
                    .init(name: name, version: version, key: key),
                    options: connection.callOptions
                )
                print("\(name) v\(version): \(key) deleted")
            }
        }
    }
}
