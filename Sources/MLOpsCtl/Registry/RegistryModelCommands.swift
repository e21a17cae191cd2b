import ArgumentParser
import MLOpsClient
import MLOpsMessages

extension RegistryCommand {
    struct CreateModel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a model name.",
            discussion: "Example: mlopsctl registry create-model credit-risk-model --tag team=risk"
        )
        @Argument var name: String
        @Option var description = ""
        @Option(help: "key=value, repeatable.") var tag: [String] = []
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let tags = try parseTags(tag)
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.createRegisteredModel(
                    .init(name: name, description: description, tags: tags),
                    options: connection.callOptions
                )
                RegistryPresentation.print([response.registeredModel!], json: connection.json)
            }
        }
    }

    struct GetModel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a model with its latest versions and aliases.",
            discussion: "Example: mlopsctl registry get-model credit-risk-model --json"
        )
        @Argument var name: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.getRegisteredModel(.init(name: name), options: connection.callOptions)
                RegistryPresentation.print([response.registeredModel!], json: connection.json)
            }
        }
    }

    struct UpdateModel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a model's description.",
            discussion:
                "Example: mlopsctl registry update-model credit-risk-model --description \"Probability of default\""
        )
        @Argument var name: String
        @Option var description: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.updateRegisteredModel(
                    .init(name: name, description: description),
                    options: connection.callOptions
                )
                RegistryPresentation.print([response.registeredModel!], json: connection.json)
            }
        }
    }

    struct RenameModel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rename a model, with its versions and history.",
            discussion: "Example: mlopsctl registry rename-model credit-risk-model credit-default-model"
        )
        @Argument var name: String
        @Argument var newName: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.renameRegisteredModel(
                    .init(name: name, newName: newName),
                    options: connection.callOptions
                )
                RegistryPresentation.print([response.registeredModel!], json: connection.json)
            }
        }
    }

    struct DeleteModel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a model and all its versions.",
            discussion: "Example: mlopsctl registry delete-model credit-risk-model-old"
        )
        @Argument var name: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                _ = try await registry.deleteRegisteredModel(.init(name: name), options: connection.callOptions)
                print("deleted \(name)")
            }
        }
    }

    struct SearchModels: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search models.",
            discussion: "Example: mlopsctl registry search-models --filter \"name LIKE 'credit-%'\" --order-by name"
        )
        @Option(help: "Conditions joined by AND: name (= != LIKE ILIKE IN NOT IN), tags.<key>.") var filter = ""
        @Option(help: "name or last_updated_timestamp, with ASC/DESC; repeatable.") var orderBy: [String] = []
        @Option(help: "1-1000 (default 100).") var maxResults: Int32?
        @Option var pageToken = ""
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                let response = try await registry.searchRegisteredModels(
                    .init(filter: filter, maxResults: maxResults, orderBy: orderBy, pageToken: pageToken),
                    options: connection.callOptions
                )
                RegistryPresentation.print(
                    response.registeredModels,
                    json: connection.json,
                    nextPageToken: response.nextPageToken
                )
            }
        }
    }

    struct SetModelTag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a tag on a model.",
            discussion: "Example: mlopsctl registry set-model-tag credit-risk-model team risk"
        )
        @Argument var name: String
        @Argument var key: String
        @Argument var value: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                _ = try await registry.setRegisteredModelTag(
                    .init(name: name, key: key, value: value),
                    options: connection.callOptions
                )
                print("\(name): \(key)=\(value)")
            }
        }
    }

    struct DeleteModelTag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a model's tag.",
            discussion: "Example: mlopsctl registry delete-model-tag credit-risk-model team"
        )
        @Argument var name: String
        @Argument var key: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await RegistryCommand.call(connection) { registry in
                _ = try await registry.deleteRegisteredModelTag(
                    .init(name: name, key: key),
                    options: connection.callOptions
                )
                print("\(name): \(key) deleted")
            }
        }
    }
}
