import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTestSupport
import Testing

@Suite("The gate with a real registry and monitoring service", .temporaryPostgres)
struct GateFlowTests {
    private func request(
        _ model: String,
        candidate: Int64,
        skill: Double,
        key: String,
        n: Int = 400
    ) -> EvaluateRequest {
        var request = scoredSamples(n, candidateSkill: skill)
        request.modelName = model
        request.candidateVersion = candidate
        request.triggerReason = .drift
        request.idempotencyKey = key
        return request
    }

    @Test func promotesABetterCandidateRejectsAWorseOneAndKeepsTheRecord() async throws {
        try await GateStack.with { stack in
            let model = "credit-risk-model"
            try await stack.registerModel(model)
            let gate = try stack.gateClient()

            // v2 separates the classes better than v1 in Production: promoted, v1 archived.
            let promoted = try #require(
                try await gate.evaluate(request(model, candidate: 2, skill: 0.45, key: "k-v2")).decision
            )
            #expect(promoted.action == .promote && promoted.productionVersion == 1)
            #expect(promoted.promotionState == .applied && promoted.promotionTransitionId > 0)
            #expect(promoted.gates.allSatisfy(\.passed) && promoted.requestedBy == "trainer")
            #expect(promoted.f1GainInterval.map { $0.lower > 0 } == true)
            #expect(try await stack.stage(model, 2) == "Production")
            #expect(try await stack.stage(model, 1) == "Archived")
            let history = try await stack.registryClient().listTransitions(.init(name: model, version: 2))
            #expect(history.transitions.filter { $0.decisionId == promoted.id }.count == 1)
            #expect(history.transitions.first { $0.decisionId == promoted.id }?.actor == "retraining-gate")

            // v3 is worse than v2: rejected, with the failing gates named; nothing moves.
            let rejected = try #require(
                try await gate.evaluate(request(model, candidate: 3, skill: 0.05, key: "k-v3")).decision
            )
            #expect(
                rejected.action == .reject && rejected.productionVersion == 2 && rejected.promotionState == .notRequired
            )
            #expect(rejected.gates.contains { $0.name == "min_f1_gain" && !$0.passed })
            #expect(try await stack.stage(model, 3) == "None")

            // Monitoring answered, with no window yet: the data context is there, the drift context says why not.
            #expect(promoted.dataContext?.available == true && promoted.driftContext?.available == false)
            #expect(promoted.dataContext?.predictions == 10 && promoted.dataContext?.coveragePct == 0.5)
            #expect(promoted.coveragePct == 0.5)

            // The same key and request: the stored decision, nothing new logged.
            let again = try await gate.evaluate(request(model, candidate: 3, skill: 0.05, key: "k-v3"))
            #expect(again.replayed && again.decision?.id == rejected.id)
            // The same key, another request.
            let reused = await rpcError {
                _ = try await gate.evaluate(request(model, candidate: 3, skill: 0.1, key: "k-v3"))
            }
            #expect(reused?.code == .alreadyExists)

            // A dry run decides without logging.
            let dry = try await gate.evaluate(
                {
                    var dry = request(model, candidate: 3, skill: 0.45, key: "")
                    dry.dryRun = true
                    return dry
                }()
            )
            #expect(dry.decision?.dryRun == true && dry.decision?.id == "")

            let listed = try await gate.listDecisions(.init(modelName: model))
            #expect(listed.decisions.map(\.id) == [rejected.id, promoted.id])
            let promotions = try await gate.listDecisions(.init(modelName: model, action: .promote))
            #expect(promotions.decisions.map(\.id) == [promoted.id])
            let page = try await gate.listDecisions(.init(modelName: model, maxResults: 1))
            let rest = try await gate.listDecisions(
                .init(modelName: model, maxResults: 1, pageToken: page.nextPageToken)
            )
            #expect(page.decisions.map(\.id) == [rejected.id] && rest.decisions.map(\.id) == [promoted.id])
            let stats = try await gate.getDecisionStats(.init(modelName: model))
            #expect(stats.total == 2 && stats.counts.map(\.count) == [1, 1])
            #expect(try await gate.getDecision(.init(id: promoted.id)).decision?.gates.count == 7)
            #expect(try await gate.getPolicy(.init()).policy?.minLabeledSamples == 100)
        }
    }

    @Test func aCallerWhoMayNotPromoteMayOnlyDryRun() async throws {
        try await GateStack.with { stack in
            let model = "deputy-model"
            try await stack.registerModel(model)
            // `serving` may not move versions in the registry: the gate must not do it on its behalf.
            let serving = try stack.gateClient("serving")
            let refused = await rpcError {
                _ = try await serving.evaluate(request(model, candidate: 2, skill: 0.45, key: "k-serving"))
            }
            #expect(refused?.code == .permissionDenied, "\(String(describing: refused))")
            #expect(try await stack.stage(model, 1) == "Production")
            #expect(try await stack.stage(model, 2) == "None")
            #expect(try await serving.getDecisionStats(.init(modelName: model)).total == 0)

            var dry = request(model, candidate: 2, skill: 0.45, key: "")
            dry.dryRun = true
            #expect(try await serving.evaluate(dry).decision?.action == .promote)
            #expect(try await stack.stage(model, 2) == "None")

            // A caller the gate's access policy names is served, and recorded as the one who asked.
            let admin = try #require(
                try await stack.gateClient("admin").evaluate(request(model, candidate: 2, skill: 0.45, key: "k-admin"))
                    .decision
            )
            #expect(admin.requestedBy == "admin" && admin.promotionState == .applied)
        }
    }

    @Test func malformedRequestsAreRefusedAndNothingIsLogged() async throws {
        try await GateStack.with { stack in
            let model = "malformed-model"
            try await stack.registerModel(model)
            let gate = try stack.gateClient()
            func refusal(_ change: (inout EvaluateRequest) -> Void) async -> RPCError? {
                var bad = request(model, candidate: 2, skill: 0.4, key: UUID().uuidString, n: 120)
                change(&bad)
                return await rpcError { _ = try await gate.evaluate(bad) }
            }
            #expect(await refusal { $0.candidateProbabilities.removeLast() }?.code == .invalidArgument)
            #expect(await refusal { $0.labels[5] = 2 }?.message == "labels[5] is 2: labels are 0 or 1")
            #expect(await refusal { $0.candidateProbabilities[0] = 1.5 }?.code == .invalidArgument)
            #expect(await refusal { $0.productionProbabilities[3] = .nan }?.code == .invalidArgument)
            #expect(await refusal { $0.productionProbabilities = [] }?.code == .invalidArgument)
            #expect(await refusal { $0.candidateVersion = 42 }?.code == .failedPrecondition)
            #expect(await refusal { $0.modelName = "no-such-model" }?.code == .failedPrecondition)
            #expect(await refusal { $0.triggerReason = .unspecified }?.code == .invalidArgument)
            #expect(await refusal { $0.idempotencyKey = "" }?.code == .invalidArgument)
            #expect(
                await refusal { $0.idempotencyKey = String(repeating: "k", count: 3_000) }?.code == .invalidArgument
            )
            #expect(await refusal { $0.modelName = String(repeating: "m", count: 3_000) }?.code == .invalidArgument)
            let stats = try await gate.getDecisionStats(.init(modelName: model))
            #expect(stats.total == 0)
            #expect(try await stack.stage(model, 2) == "None")
        }
    }

    @Test func withoutMonitoringTheDecisionIsStillMadeAndSaysSo() async throws {
        try await GateStack.with { stack in
            let model = "lonely-model"
            try await stack.registerModel(model)
            await stack.monitoring.stop(replica: 0)
            let decision = try #require(
                try await stack.gateClient().evaluate(request(model, candidate: 2, skill: 0.45, key: "lonely")).decision
            )
            #expect(decision.dataContext?.available == false && decision.driftContext?.available == false)
            #expect(decision.dataContext?.reason.contains("monitoring did not answer") == true)
            let coverage = try #require(decision.gates.first { $0.name == "min_coverage_pct" })
            #expect(coverage.skipped && coverage.reason == "monitoring gave no data context")
            #expect(decision.action == .promote && decision.promotionState == .applied)
        }
    }

    @Test func aPromotionLoggedWhileTheRegistryIsDownIsAppliedWhenItReturns() async throws {
        try await GateStack.with(gateEnvironment: ["MLOPS_GATE_PAUSE_BEFORE_PROMOTION": "1.5"]) { stack in
            let model = "outage-model"
            try await stack.registerModel(model)
            let gate = try stack.gateClient()
            let evaluation = Task { try await gate.evaluate(request(model, candidate: 2, skill: 0.45, key: "outage")) }
            // The decision is logged, pending; the registry goes away before the gate calls it (the gate
            // pauses 1.5 s between the two, less than the 2 s claim: longer, and another test's gate on this
            // database would take the promotion over). Waiting for the row, not a while: a busy machine is
            // slow to log it.
            let logged = ContinuousClock.now + .seconds(20)
            while try await gate.listDecisions(.init(modelName: model)).decisions.isEmpty, ContinuousClock.now < logged
            {
                try await Task.sleep(for: .milliseconds(20))
            }
            await stack.registry.stop(replica: 0)
            let decision = try #require(try await evaluation.value.decision)
            #expect(decision.action == .promote && decision.promotionState == .pending)
            #expect(decision.promotionError.contains("registry"))

            try await stack.registry.restart(replica: 0)
            let applied = try await waitForApplied(decision.id, gate)
            #expect(applied.promotionState == .applied)
            #expect(try await stack.stage(model, 2) == "Production")
            let history = try await stack.registryClient().listTransitions(.init(name: model, version: 2))
            #expect(history.transitions.filter { $0.decisionId == decision.id }.count == 1)
        }
    }

    @Test func aGateKilledBetweenLoggingAndPromotingAppliesItAfterRestart() async throws {
        try await GateStack.with(gateEnvironment: ["MLOPS_GATE_PAUSE_BEFORE_PROMOTION": "30"]) { stack in
            let model = "crash-model"
            try await stack.registerModel(model)
            let gate = try stack.gateClient()
            let evaluation = Task { try? await gate.evaluate(request(model, candidate: 2, skill: 0.45, key: "crash")) }
            // Wait until the decision is logged, then kill the gate mid-pause.
            var pending: Decision?
            for _ in 0..<100 where pending == nil {
                try await Task.sleep(for: .milliseconds(100))
                pending = try await gate.listDecisions(.init(modelName: model)).decisions.first
            }
            let logged = try #require(pending)
            #expect(logged.promotionState == .pending)
            await stack.gate.kill()
            _ = await evaluation.value
            #expect(try await stack.stage(model, 2) == "None")

            try await stack.gate.restart(environment: ["MLOPS_GATE_PAUSE_BEFORE_PROMOTION": nil])
            let applied = try await waitForApplied(logged.id, try stack.gateClient())
            #expect(applied.promotionState == .applied)
            #expect(try await stack.stage(model, 2) == "Production")
            let history = try await stack.registryClient().listTransitions(.init(name: model, version: 2))
            #expect(history.transitions.filter { $0.decisionId == logged.id }.count == 1)
        }
    }

    private func waitForApplied(_ id: String, _ gate: RetrainingGateClient) async throws -> Decision {
        for _ in 0..<150 {
            if let decision = try? await gate.getDecision(.init(id: id)).decision, decision.promotionState == .applied {
                return decision
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try #require(try await gate.getDecision(.init(id: id)).decision)
    }
}
