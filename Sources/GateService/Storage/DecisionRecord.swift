package import Foundation
package import GatePolicy
import MLOpsPostgres

/// One decision as the gate logs it: the seed's columns, and what the spec adds.
package struct DecisionRecord: Sendable, Equatable {
    package enum Trigger: String, Sendable, Codable {
        case scheduled, drift, manual
    }

    package enum PromotionState: String, Sendable {
        /// A reject, or a dry run: nothing to apply.
        case none
        case pending, applied, failed, superseded
    }

    package var id: UUID
    /// Milliseconds since the epoch.
    package var timestamp: Int64
    package var modelName: String
    package var candidateVersion: Int64
    /// 0 when the model had no Production version.
    package var productionVersion: Int64
    package var trigger: Trigger
    package var evaluation: GateEvaluation
    package var driftContext: DriftContextFacts
    package var dataContext: DataContextFacts
    package var labeledSamples: Int
    package var coveragePct: Double?
    package var idempotencyKey: String
    package var requestedBy: String
    package var promotionState: PromotionState
    package var promotionError: String?
    package var promotionTransitionID: Int64

    package var action: Verdict { evaluation.action }

    /// The columns `init(rows:at:)` reads, in its order.
    static let columns: PostgresQuery = """
        id, (extract(epoch FROM timestamp) * 1000)::bigint, model_name, candidate_version,
        coalesce(production_version, 0), trigger_reason, decision_details, drift_context, data_context,
        coalesce(labeled_samples, 0), coverage_pct, coalesce(idempotency_key, ''), decided_by, promotion_state,
        promotion_error, coalesce(promotion_transition_id, 0)
        """

    init(rows: PostgresRows, at row: Int) throws {
        id = try rows.value(UUID.self, row: row, column: 0)!
        timestamp = try rows.value(Int64.self, row: row, column: 1)!
        modelName = try rows.value(String.self, row: row, column: 2)!
        candidateVersion = try rows.value(Int64.self, row: row, column: 3)!
        productionVersion = try rows.value(Int64.self, row: row, column: 4)!
        trigger = Trigger(rawValue: try rows.value(String.self, row: row, column: 5)!) ?? .manual
        evaluation = try rows.value(PostgresJSON<GateEvaluation>.self, row: row, column: 6)!.value
        driftContext =
            try rows.value(PostgresJSON<DriftContextFacts>.self, row: row, column: 7)?.value
            ?? .unavailable("not recorded")
        dataContext =
            try rows.value(PostgresJSON<DataContextFacts>.self, row: row, column: 8)?.value
            ?? .unavailable("not recorded")
        labeledSamples = try rows.value(Int.self, row: row, column: 9)!
        coveragePct = try rows.value(Double.self, row: row, column: 10)
        idempotencyKey = try rows.value(String.self, row: row, column: 11)!
        requestedBy = try rows.value(String.self, row: row, column: 12)!
        promotionState = PromotionState(rawValue: try rows.value(String.self, row: row, column: 13)!) ?? .none
        promotionError = try rows.value(String.self, row: row, column: 14)
        promotionTransitionID = try rows.value(Int64.self, row: row, column: 15)!
    }

    package init(
        id: UUID = UUID(),
        timestamp: Int64,
        modelName: String,
        candidateVersion: Int64,
        productionVersion: Int64,
        trigger: Trigger,
        evaluation: GateEvaluation,
        driftContext: DriftContextFacts,
        dataContext: DataContextFacts,
        labeledSamples: Int,
        coveragePct: Double?,
        idempotencyKey: String,
        requestedBy: String,
        promotionState: PromotionState,
        promotionError: String? = nil,
        promotionTransitionID: Int64 = 0
    ) {
        self.id = id
        self.timestamp = timestamp
        self.modelName = modelName
        self.candidateVersion = candidateVersion
        self.productionVersion = productionVersion
        self.trigger = trigger
        self.evaluation = evaluation
        self.driftContext = driftContext
        self.dataContext = dataContext
        self.labeledSamples = labeledSamples
        self.coveragePct = coveragePct
        self.idempotencyKey = idempotencyKey
        self.requestedBy = requestedBy
        self.promotionState = promotionState
        self.promotionError = promotionError
        self.promotionTransitionID = promotionTransitionID
    }
}
