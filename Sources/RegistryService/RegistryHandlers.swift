import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC
import MLOpsServiceProtocols
import RegistryRules

/// Every `mlops.v1.ModelRegistry` method: check the input, check the
/// caller's right to write, then one store call.
struct RegistryHandlers: ModelRegistryServiceProtocol {
    let store: RegistryStore
    let hub: RegistryEventHub
    let policy: RegistryPolicy

    // MARK: Registered models

    func createRegisteredModel(_ request: CreateRegisteredModelRequest, context: ServerCallContext) async throws
        -> CreateRegisteredModelResponse
    {
        let actor = try authorize(context, .writeModel)
        try Names.validateModelName(request.name)
        try checkTags(request.tags)
        guard !request.idempotencyKey.isEmpty else {
            let model = try await store.createModel(
                name: request.name,
                description: request.description,
                tags: request.tags,
                by: actor
            )
            return CreateRegisteredModelResponse(registeredModel: model)
        }
        return try await idempotent(
            request.idempotencyKey,
            context,
            actor: actor,
            model: request.name,
            fingerprint: [request.name, request.description],
            tags: request.tags
        ) { connection in
            let model = try RegistryStore.insertModel(
                name: request.name,
                description: request.description,
                tags: request.tags,
                by: actor,
                connection
            )
            return CreateRegisteredModelResponse(registeredModel: model)
        }
    }

    func getRegisteredModel(_ request: GetRegisteredModelRequest, context: ServerCallContext) async throws
        -> GetRegisteredModelResponse
    {
        try requireName(request.name)
        return GetRegisteredModelResponse(registeredModel: try await store.getModel(name: request.name))
    }

    func updateRegisteredModel(_ request: UpdateRegisteredModelRequest, context: ServerCallContext) async throws
        -> UpdateRegisteredModelResponse
    {
        let actor = try authorize(context, .writeModel)
        try requireName(request.name)
        let model = try await store.updateModel(name: request.name, description: request.description, by: actor)
        return UpdateRegisteredModelResponse(registeredModel: model)
    }

    func renameRegisteredModel(_ request: RenameRegisteredModelRequest, context: ServerCallContext) async throws
        -> RenameRegisteredModelResponse
    {
        let actor = try authorize(context, .writeModel)
        try requireName(request.name)
        try Names.validateModelName(request.newName)
        let model = try await store.renameModel(name: request.name, to: request.newName, by: actor)
        return RenameRegisteredModelResponse(registeredModel: model)
    }

    func deleteRegisteredModel(_ request: DeleteRegisteredModelRequest, context: ServerCallContext) async throws
        -> DeleteRegisteredModelResponse
    {
        _ = try authorize(context, .writeModel)
        try requireName(request.name)
        try await store.deleteModel(name: request.name)
        return DeleteRegisteredModelResponse()
    }

    func searchRegisteredModels(_ request: SearchRegisteredModelsRequest, context: ServerCallContext) async throws
        -> SearchRegisteredModelsResponse
    {
        let search = try searchRequest(
            .models,
            filter: request.filter,
            orderBy: request.orderBy,
            maxResults: request.maxResults,
            pageToken: request.pageToken
        )
        let page = try await store.searchModels(search)
        return SearchRegisteredModelsResponse(registeredModels: page.items, nextPageToken: page.nextPageToken)
    }

    func setRegisteredModelTag(_ request: SetRegisteredModelTagRequest, context: ServerCallContext) async throws
        -> SetRegisteredModelTagResponse
    {
        _ = try authorize(context, .writeModel)
        try requireName(request.name)
        try Names.validateTag(key: request.key, value: request.value)
        try await store.setModelTag(name: request.name, key: request.key, value: request.value)
        return SetRegisteredModelTagResponse()
    }

    func deleteRegisteredModelTag(_ request: DeleteRegisteredModelTagRequest, context: ServerCallContext) async throws
        -> DeleteRegisteredModelTagResponse
    {
        _ = try authorize(context, .writeModel)
        try requireName(request.name)
        try Names.validateTag(key: request.key, value: "")
        try await store.deleteModelTag(name: request.name, key: request.key)
        return DeleteRegisteredModelTagResponse()
    }

    // MARK: Versions

    func createModelVersion(_ request: CreateModelVersionRequest, context: ServerCallContext) async throws
        -> CreateModelVersionResponse
    {
        let actor = try authorize(context, .writeVersion)
        try requireName(request.name)
        try checkTags(request.tags)
        let new = NewVersion(
            name: request.name,
            source: request.source,
            runID: request.runId,
            runLink: request.runLink,
            description: request.description,
            tags: request.tags,
            f1Score: request.f1Score,
            brierScore: request.brierScore
        )
        guard !request.idempotencyKey.isEmpty else {
            return CreateModelVersionResponse(modelVersion: try await store.createVersion(new, by: actor))
        }
        return try await idempotent(
            request.idempotencyKey,
            context,
            actor: actor,
            model: new.name,
            fingerprint: [
                new.name, new.source, new.runID, new.runLink, new.description,
                new.f1Score.map { "\($0)" } ?? "-", new.brierScore.map { "\($0)" } ?? "-",
            ],
            tags: new.tags
        ) { connection in
            let creation = VersionCreation(version: new, actor: actor)
            return CreateModelVersionResponse(modelVersion: try RegistryStore.createVersion(creation, connection))
        }
    }

    func getModelVersion(_ request: GetModelVersionRequest, context: ServerCallContext) async throws
        -> GetModelVersionResponse
    {
        try requireName(request.name)
        let version = try await store.getVersion(name: request.name, version: request.version)
        return GetModelVersionResponse(modelVersion: version)
    }

    func updateModelVersion(_ request: UpdateModelVersionRequest, context: ServerCallContext) async throws
        -> UpdateModelVersionResponse
    {
        let actor = try authorize(context, .writeVersion)
        try requireName(request.name)
        let version = try await store.updateVersion(
            name: request.name,
            version: request.version,
            description: request.description,
            by: actor
        )
        return UpdateModelVersionResponse(modelVersion: version)
    }

    func deleteModelVersion(_ request: DeleteModelVersionRequest, context: ServerCallContext) async throws
        -> DeleteModelVersionResponse
    {
        let actor = try authorize(context, .writeVersion)
        try requireName(request.name)
        try await store.deleteVersion(name: request.name, version: request.version, by: actor)
        return DeleteModelVersionResponse()
    }

    func searchModelVersions(_ request: SearchModelVersionsRequest, context: ServerCallContext) async throws
        -> SearchModelVersionsResponse
    {
        let search = try searchRequest(
            .versions,
            filter: request.filter,
            orderBy: request.orderBy,
            maxResults: request.maxResults,
            pageToken: request.pageToken
        )
        let page = try await store.searchVersions(search)
        return SearchModelVersionsResponse(modelVersions: page.items, nextPageToken: page.nextPageToken)
    }

    func setModelVersionTag(_ request: SetModelVersionTagRequest, context: ServerCallContext) async throws
        -> SetModelVersionTagResponse
    {
        _ = try authorize(context, .writeVersion)
        try requireName(request.name)
        try Names.validateTag(key: request.key, value: request.value)
        try await store.setVersionTag(
            name: request.name,
            version: request.version,
            key: request.key,
            value: request.value
        )
        return SetModelVersionTagResponse()
    }

    func deleteModelVersionTag(_ request: DeleteModelVersionTagRequest, context: ServerCallContext) async throws
        -> DeleteModelVersionTagResponse
    {
        _ = try authorize(context, .writeVersion)
        try requireName(request.name)
        try Names.validateTag(key: request.key, value: "")
        try await store.deleteVersionTag(name: request.name, version: request.version, key: request.key)
        return DeleteModelVersionTagResponse()
    }

    // MARK: Stages and aliases

    func transitionModelVersionStage(_ request: TransitionModelVersionStageRequest, context: ServerCallContext)
        async throws -> TransitionModelVersionStageResponse
    {
        try requireName(request.name)
        let stage = try Stage(parsing: request.stage)
        let actor = try authorize(context, .moveTo(stage))
        guard !request.archiveExistingVersions || stage.allowsArchivingOthers else {
            throw RPCError(
                code: .invalidArgument,
                message:
                    "archive_existing_versions is only allowed with Staging or Production as the target, not \(stage.rawValue)."
            )
        }
        let change = StageChange(
            name: request.name,
            version: request.version,
            stage: stage,
            archiveExistingVersions: request.archiveExistingVersions,
            comment: request.comment,
            decisionID: request.decisionId
        )
        guard !request.idempotencyKey.isEmpty else {
            return TransitionModelVersionStageResponse(try await store.transition(change, by: actor))
        }
        return try await idempotent(
            request.idempotencyKey,
            context,
            actor: actor,
            model: change.name,
            fingerprint: [
                change.name, "\(change.version)", change.stage.rawValue, "\(change.archiveExistingVersions)",
                change.comment, change.decisionID,
            ]
        ) { connection in
            TransitionModelVersionStageResponse(
                try RegistryStore.changeStage(StageChangeRequest(change: change, actor: actor), connection)
            )
        }
    }

    func getLatestVersions(_ request: GetLatestVersionsRequest, context: ServerCallContext) async throws
        -> GetLatestVersionsResponse
    {
        try requireName(request.name)
        let stages = try request.stages.map(Stage.init(parsing:))
        let versions = try await store.latestVersions(name: request.name, stages: stages)
        return GetLatestVersionsResponse(modelVersions: versions)
    }

    func setRegisteredModelAlias(_ request: SetRegisteredModelAliasRequest, context: ServerCallContext) async throws
        -> SetRegisteredModelAliasResponse
    {
        let actor = try authorize(context, .writeAlias)
        try requireName(request.name)
        try Names.validateAlias(request.alias)
        try await store.setAlias(name: request.name, alias: request.alias, version: request.version, by: actor)
        return SetRegisteredModelAliasResponse()
    }

    func deleteRegisteredModelAlias(_ request: DeleteRegisteredModelAliasRequest, context: ServerCallContext)
        async throws -> DeleteRegisteredModelAliasResponse
    {
        let actor = try authorize(context, .writeAlias)
        try requireName(request.name)
        try Names.validateAlias(request.alias)
        try await store.deleteAlias(name: request.name, alias: request.alias, by: actor)
        return DeleteRegisteredModelAliasResponse()
    }

    func getModelVersionByAlias(_ request: GetModelVersionByAliasRequest, context: ServerCallContext) async throws
        -> GetModelVersionByAliasResponse
    {
        try requireName(request.name)
        guard !request.alias.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "Missing value for required parameter 'alias'.")
        }
        let version = try await store.version(name: request.name, alias: request.alias)
        return GetModelVersionByAliasResponse(modelVersion: version)
    }

    // MARK: History and watching

    func listTransitions(_ request: ListTransitionsRequest, context: ServerCallContext) async throws
        -> ListTransitionsResponse
    {
        try requireName(request.name)
        let paging = try PageRequest<PageToken>(
            maxResults: request.maxResults,
            pageToken: request.pageToken,
            context: .history
        )
        let page = try await store.transitions(name: request.name, version: request.version, page: paging)
        return ListTransitionsResponse(transitions: page.items, nextPageToken: page.nextPageToken)
    }

    /// The current state, then every change as it commits. The subscription
    /// starts before the snapshot is read, so nothing falls between them;
    /// news the snapshot already reflects is skipped.
    func watchModelVersions(
        _ request: WatchModelVersionsRequest,
        writer: ResponseStreamWriter<ModelVersionEvent>,
        context: ServerCallContext
    ) async throws {
        let subscription = try await hub.subscribe(modelName: request.name)
        let snapshot = try await store.watchSnapshot(modelName: request.name)
        for version in snapshot.versions {
            try await writer.write(ModelVersionEvent(kind: .snapshot, modelVersion: version))
        }
        try await writer.write(ModelVersionEvent(kind: .snapshotComplete))
        for try await event in subscription.events {
            if let transition = event.transition,
                let seen = snapshot.lastTransitionIDs[
                    WatchSnapshot.key(modelID: transition.modelId, version: transition.version)
                ],
                transition.id <= seen
            {
                continue
            }
            try await writer.write(event)
        }
    }

    // MARK: Retries

    /// A keyed write (`RegistryStore.idempotent`): the first call's answer,
    /// marked replayed when this is a retry.
    private func idempotent<Response: ReplayableResponse>(
        _ key: String,
        _ context: ServerCallContext,
        actor: String,
        model: String,
        fingerprint parts: [String],
        tags: [String: String] = [:],
        _ write: @escaping @Sendable (PostgresConnection) throws -> Response
    ) async throws -> Response {
        let keyed = IdempotentWrite<Response>(
            caller: actor,
            key: key,
            method: context.method,
            fingerprint: IdempotentWrite<Response>.fingerprint(parts, tags: tags)
        )
        var (response, replayed) = try await store.idempotent(keyed, model: model, write)
        response.replayed = replayed
        return response
    }

    // MARK: Checks

    private func authorize(_ context: ServerCallContext, _ action: RegistryPolicy.Action) throws -> String {
        let identity = context.callerIdentity
        guard policy.permits(identity, to: action) else { throw RegistryErrors.denied(identity, action) }
        return identity
    }

    private func requireName(_ name: String) throws {
        guard !name.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "Missing value for required parameter 'name'.")
        }
    }

    private func checkTags(_ tags: [String: String]) throws {
        for (key, value) in tags { try Names.validateTag(key: key, value: value) }
    }

    private func searchRequest(
        _ subject: SearchFilter.Subject,
        filter: String,
        orderBy: [String],
        maxResults: Int32?,
        pageToken: String
    ) throws -> SearchRequest {
        SearchRequest(
            filter: try SearchFilter(parsing: filter, for: subject),
            paging: try PageRequest(
                maxResults: maxResults,
                pageToken: pageToken,
                context: try SearchOrder(parsing: orderBy, for: subject)
            )
        )
    }
}

extension TransitionModelVersionStageResponse {
    init(_ result: StageChangeResult) {
        self.init(modelVersion: result.version, transition: result.transition, archivedVersions: result.archived)
    }
}
