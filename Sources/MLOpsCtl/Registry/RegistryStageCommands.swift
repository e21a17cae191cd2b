import ArgumentParser
import MLOpsClient
import MLOpsMessages
import MLOpsRPC

extension RegistryCommand {
    struct Transition: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a version to a stage (None, Staging, Production, Archived).",
            discussion:
                "Example: mlopsctl registry transition credit-risk-model 7 Production --archive-existing\nExample:\n  mlopsctl registry transition credit-risk-model 7 Production --archive-existing"
        )
        @Argument var name: String
        @Argument var version: Int64
        @Argument var stage: String
        @Flag(help: "Archive the other versions in the target stage (Staging or Production only).")
        var archiveExisting = false
        @Option(help: "Why, for the history.") var comment = ""
        @Option(help: "The retraining gate's decision id behind the change.") var decisionId = ""
        @Option(help: "Makes a retry safe: the same key answers again instead of changing the stage again.")
        var idempotencyKey = ""
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.transitionModelVersionStage(
                    .init(
                        name: name,
                        version: version,
                        stage: stage,
                        archiveExistingVersions: archiveExisting,
                        comment: comment,
                        decisionId: decisionId,
                        idempotencyKey: idempotencyKey
                    ),
                    options: connection.callOptions
                )
                RegistryPresentation.print([response.modelVersion!] + response.archivedVersions, json: connection.json)
            }
        }
    }

    struct Latest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The highest live version in each stage.",
            discussion: "Example: mlopsctl registry latest credit-risk-model --stage Production"
        )
        @Argument var name: String
        @Option(help: "Only these stages (repeatable); all four by default.") var stage: [String] = []
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.getLatestVersions(
                    .init(name: name, stages: stage),
                    options: connection.callOptions
                )
                RegistryPresentation.print(response.modelVersions, json: connection.json)
            }
        }
    }

    struct SetAlias: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point an alias at a version (moving it if set).",
            discussion: "Example: mlopsctl registry set-alias credit-risk-model champion 7"
        )
        @Argument var name: String
        @Argument var alias: String
        @Argument var version: Int64
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                _ = try await registry.setRegisteredModelAlias(
                    .init(name: name, alias: alias, version: version),
                    options: connection.callOptions
                )
                print("\(name)@\(alias) → v\(version)")
            }
        }
    }

    struct DeleteAlias: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an alias.",
            discussion: "Example: mlopsctl registry delete-alias credit-risk-model champion"
        )
        @Argument var name: String
        @Argument var alias: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                _ = try await registry.deleteRegisteredModelAlias(
                    .init(name: name, alias: alias),
                    options: connection.callOptions
                )
                print("\(name)@\(alias) removed")
            }
        }
    }

    struct GetByAlias: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The version an alias (or 'latest') points at.",
            discussion:
                "Examples:\n  mlopsctl registry get-by-alias credit-risk-model champion\n  mlopsctl registry get-by-alias credit-risk-model latest"
        )
        @Argument var name: String
        @Argument var alias: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.getModelVersionByAlias(
                    .init(name: name, alias: alias),
                    options: connection.callOptions
                )
                RegistryPresentation.print([response.modelVersion!], json: connection.json)
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stage and alias changes, newest first.",
            discussion: "Example: mlopsctl registry history credit-risk-model --version 7"
        )
        @Argument var name: String
        @Option(help: "Only this version.") var version: Int64 = 0
        @Option(help: "1-1000 (default 100).") var maxResults: Int32?
        @Option var pageToken = ""
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.listTransitions(
                    .init(name: name, version: version, maxResults: maxResults, pageToken: pageToken),
                    options: connection.callOptions
                )
                RegistryPresentation.print(
                    response.transitions,
                    json: connection.json,
                    nextPageToken: response.nextPageToken
                )
            }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the current versions, then every stage and alias change as it commits (Ctrl-C stops).",
            discussion: "Example: mlopsctl registry watch credit-risk-model"
        )
        @Argument(help: "A model; all models when left out.") var name: String = ""
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                for try await event in registry.watchModelVersions(.init(name: name)) {
                    if connection.json {
                        print(
                            JSONValue.object([
                                ("kind", .string("\(event.kind)")),
                                ("model_version", event.modelVersion.map(RegistryPresentation.json) ?? .null),
                                ("transition", event.transition.map(RegistryPresentation.json) ?? .null),
                            ]).render()
                        )
                        continue
                    }
                    switch event.kind {
                    case .snapshotComplete: print("-- watching for changes")
                    case .deleted:
                        print("deleted  \(event.modelVersion?.name ?? "") v\(event.modelVersion?.version ?? 0)")
                    default:
                        guard let version = event.modelVersion else { continue }
                        let change =
                            event.transition.map { "  (\(RegistryPresentation.change($0)) by \($0.actor))" } ?? ""
                        print("\(version.name) v\(version.version)  \(version.currentStage)\(change)")
                    }
                }
            }
        }
    }
}
