import Foundation
import GatePolicy
import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC
import MLOpsServiceProtocols
import Metrics

/// Every RPC of `mlops.v1.RetrainingGate`. Any authenticated caller may
/// dry-run; a logged evaluation, which may promote with the gate's own
/// identity, only a caller the access policy names. The decision records who asked.
package struct GateHandlers: RetrainingGateServiceProtocol {
    /// Who may ask for logged evaluations when the configuration does not say:
    /// those who may otherwise change the registry's stages.
    package static let defaultLoggedEvaluators: Set<String> = ["admin", "trainer"]

    let evaluator: GateEvaluator
    let store: DecisionStore
    let loggedEvaluators: Set<String>

    package init(evaluator: GateEvaluator, store: DecisionStore, loggedEvaluators: Set<String>) {
        self.evaluator = evaluator
        self.store = store
        self.loggedEvaluators = loggedEvaluators
    }

    /// A logged evaluation acts: the gate promotes as itself on the caller's behalf.
    private func authorize(_ request: EvaluateRequest, _ context: ServerCallContext) throws(RPCError) {
        guard !request.dryRun, !loggedEvaluators.contains("*") else { return }
        guard context.peer != nil, loggedEvaluators.contains(context.callerIdentity) else {
            throw RPCError(
                code: .permissionDenied,
                message: "Identity '\(context.callerIdentity)' may only dry-run: logged evaluations may promote."
            )
        }
    }

    func evaluate(_ request: EvaluateRequest, context: ServerCallContext) async throws -> EvaluateResponse {
        try authorize(request, context)
        let started = ContinuousClock.now
        let (decision, replayed) = try await evaluator.evaluate(
            .init(
                model: request.modelName,
                candidateVersion: request.candidateVersion,
                trigger: DecisionRecord.Trigger(request.triggerReason),
                samples: LabelledSamples(
                    labels: request.labels,
                    candidate: request.candidateProbabilities,
                    production: request.productionProbabilities
                ),
                idempotencyKey: request.idempotencyKey,
                dryRun: request.dryRun,
                caller: context.callerIdentity
            )
        )
        if !replayed {
            Counter(
                label: "gate_decisions_total",
                dimensions: [("action", decision.action.rawValue), ("dry_run", String(request.dryRun))]
            ).increment()
            Timer(label: "gate_evaluation_duration_seconds", dimensions: [("dry_run", String(request.dryRun))])
                .record(duration: ContinuousClock.now - started)
        }
        return EvaluateResponse(decision: Decision(decision, dryRun: request.dryRun), replayed: replayed)
    }

    func getDecision(_ request: GetDecisionRequest, context: ServerCallContext) async throws -> GetDecisionResponse {
        guard let id = UUID(uuidString: request.id) else {
            throw RPCError(code: .invalidArgument, message: "'\(request.id)' is not a decision id")
        }
        guard let decision = try await store.get(id: id) else {
            throw RPCError(code: .notFound, message: "no decision \(request.id)")
        }
        return GetDecisionResponse(decision: Decision(decision))
    }

    func listDecisions(_ request: ListDecisionsRequest, context: ServerCallContext) async throws
        -> ListDecisionsResponse
    {
        var filter = DecisionStore.Filter()
        filter.model = request.modelName
        filter.action = Verdict(request.action)
        filter.trigger = DecisionRecord.Trigger(request.triggerReason)
        filter.since = request.since
        filter.until = request.until
        let page = try PageRequest<KeysetPageToken>(maxResults: request.maxResults, pageToken: request.pageToken)
        let records = try await store.list(filter, page: page)
        return ListDecisionsResponse(
            decisions: records.items.map { Decision($0) },
            nextPageToken: records.nextPageToken
        )
    }

    func getDecisionStats(_ request: GetDecisionStatsRequest, context: ServerCallContext) async throws
        -> GetDecisionStatsResponse
    {
        let counts = try await store.stats(model: request.modelName, since: request.since, until: request.until)
        return GetDecisionStatsResponse(
            counts: [Verdict.promote, .reject].map {
                DecisionCount(action: $0.message, count: counts[$0] ?? 0)
            },
            total: counts.values.reduce(0, +)
        )
    }

    func getPolicy(_ request: GetPolicyRequest, context: ServerCallContext) async throws -> GetPolicyResponse {
        GetPolicyResponse(policy: Policy(evaluator.thresholds))
    }
}
