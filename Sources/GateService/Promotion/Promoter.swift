import Foundation
package import Logging
package import MLOpsClient
import MLOpsMessages
import MLOpsRPC

/// Applies a logged promotion in the registry, at most once: a later
/// promotion for the model supersedes it; a transition already carrying the
/// decision's id (an attempt whose answer was lost) counts as applied; the
/// registry's refusals end it as failed, and its outages leave it pending
/// for the retrier.
package struct Promoter: Sendable {
    let store: DecisionStore
    let registry: ModelRegistryClient
    let logger: Logger

    package init(store: DecisionStore, registry: ModelRegistryClient, logger: Logger) {
        self.store = store
        self.registry = registry
        self.logger = logger
    }

    static let callTimeout = Duration.seconds(10)

    /// Tries once; returns the state the decision is left in.
    @discardableResult
    package func apply(_ decision: DecisionRecord) async throws -> DecisionRecord.PromotionState {
        let id = decision.id.uuidString.lowercased()
        if try await store.hasNewerPromotion(than: decision) {
            try await store.finishPromotion(
                decision.id,
                state: .superseded,
                error: "a later decision promotes this model"
            )
            return .superseded
        }
        let options = CallOptions(timeout: Self.callTimeout)
        do {
            let history = try await registry.listTransitions(
                .init(name: decision.modelName, version: decision.candidateVersion, maxResults: 1000),
                options: options
            )
            if let done = history.transitions.first(where: { $0.decisionId == id && $0.toStage == "Production" }) {
                try await store.finishPromotion(decision.id, state: .applied, transitionID: done.id)
                return .applied
            }
            let response = try await registry.transitionModelVersionStage(
                .init(
                    name: decision.modelName,
                    version: decision.candidateVersion,
                    stage: "Production",
                    archiveExistingVersions: true,
                    comment: "retraining-gate decision \(id)",
                    decisionId: id
                ),
                options: options
            )
            try await store.finishPromotion(decision.id, state: .applied, transitionID: response.transition?.id ?? 0)
            logger.info(
                "promotion applied",
                metadata: [
                    "decision": "\(id)", "model": "\(decision.modelName)", "version": "\(decision.candidateVersion)",
                ]
            )
            return .applied
        } catch let error as RPCError {
            let message = "registry: \(error.code): \(error.message)"
            let state: DecisionRecord.PromotionState = Self.isTransient(error.code) ? .pending : .failed
            try await store.finishPromotion(decision.id, state: state, error: message)
            logger.warning(
                state == .pending
                    ? "promotion pending: the registry did not answer" : "promotion refused by the registry",
                metadata: ["decision": "\(id)", "error": "\(message)"]
            )
            return state
        }
    }

    /// Outages and timeouts are retried; refusals (not found, not allowed, invalid) are final.
    static func isTransient(_ code: StatusCode) -> Bool {
        [.unavailable, .deadlineExceeded, .internal, .unknown, .cancelled, .resourceExhausted, .aborted].contains(code)
    }
}
