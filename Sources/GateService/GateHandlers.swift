import Foundation
import GatePolicy
import MLOpsMessages
import MLOpsPostgres
package import MLOpsRPC
import Metrics

/// Every RPC of `mlops.v1.RetrainingGate`. Any authenticated caller may
/// dry-run; a logged evaluation, which may promote with the gate's own
/// identity, only a caller the access policy names. The decision records who asked.
package struct GateHandlers: Sendable {
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

    package func register(in router: inout RPCRouter) {
        router.register(RetrainingGateMethods.evaluate) { request, context in
            try authorize(request, context)
            let started = ContinuousClock.now
            let (decision, replayed) = try await mapped {
                try await evaluator.evaluate(
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
            }
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
        router.register(RetrainingGateMethods.getDecision) { request, _ in
            guard let id = UUID(uuidString: request.id) else {
                throw RPCError(code: .invalidArgument, message: "'\(request.id)' is not a decision id")
            }
            guard let decision = try await mapped({ try await store.get(id: id) }) else {
                throw RPCError(code: .notFound, message: "no decision \(request.id)")
            }
            return GetDecisionResponse(decision: Decision(decision))
        }
        router.register(RetrainingGateMethods.listDecisions) { request, _ in
            var filter = DecisionStore.Filter()
            filter.model = request.modelName
            filter.action = GatePolicy.DecisionAction(request.action)
            filter.trigger = DecisionRecord.Trigger(request.triggerReason)
            filter.since = request.since
            filter.until = request.until
            let (records, next) = try await mapped {
                try await store.list(filter, pageSize: Int(request.maxResults), pageToken: request.pageToken)
            }
            return ListDecisionsResponse(decisions: records.map { Decision($0) }, nextPageToken: next)
        }
        router.register(RetrainingGateMethods.getDecisionStats) { request, _ in
            let counts = try await mapped {
                try await store.stats(model: request.modelName, since: request.since, until: request.until)
            }
            return GetDecisionStatsResponse(
                counts: [GatePolicy.DecisionAction.promote, .reject].map {
                    DecisionCount(action: $0.message, count: counts[$0] ?? 0)
                },
                total: counts.values.reduce(0, +)
            )
        }
        router.register(RetrainingGateMethods.getPolicy) { _, _ in
            GetPolicyResponse(policy: Policy(evaluator.thresholds))
        }
    }

    /// Refusals keep their status; a database that cannot be reached is `UNAVAILABLE`.
    private func mapped<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as ServiceRefusal {
            throw error.rpcError
        } catch let error as PostgresError {
            throw RPCError.storage(error, of: "the gate", retryable: error.isUnavailable)
        }
    }
}
