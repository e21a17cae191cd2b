import Foundation
import GatePolicy
import MLOpsMessages

// Between the wire's messages and the gate's own types.

extension DecisionRecord.Trigger {
    init?(_ reason: TriggerReason) {
        switch reason {
        case .scheduled: self = .scheduled
        case .drift: self = .drift
        case .manual: self = .manual
        default: return nil
        }
    }

    var message: TriggerReason {
        switch self {
        case .scheduled: .scheduled
        case .drift: .drift
        case .manual: .manual
        }
    }
}

extension Verdict {
    init?(_ action: DecisionAction) {
        switch action {
        case .promote: self = .promote
        case .reject: self = .reject
        default: return nil
        }
    }

    var message: DecisionAction { self == .promote ? .promote : .reject }
}

extension ClassifierMetrics {
    init(_ metrics: ClassifierScores) {
        self.init(
            f1: metrics.f1,
            precision: metrics.precision,
            recall: metrics.recall,
            accuracy: metrics.accuracy,
            brier: metrics.brier,
            rocAuc: metrics.rocAUC,
            logLoss: metrics.logLoss
        )
    }
}

extension Policy {
    init(_ thresholds: GateThresholds) {
        self.init(
            minLabeledSamples: Int64(thresholds.minLabeledSamples),
            minCoveragePct: thresholds.minCoveragePct,
            minF1Gain: thresholds.minF1Gain,
            maxBrierIncrease: thresholds.maxBrierIncrease,
            requireF1GainLowerBoundPositive: thresholds.requireF1GainLowerBoundPositive,
            minF1: thresholds.minF1,
            bootstrapResamples: Int32(thresholds.bootstrapResamples),
            confidence: thresholds.confidence,
            decisionThreshold: thresholds.decisionThreshold,
            minRocAuc: thresholds.minRocAUC
        )
    }
}

extension Decision {
    init(_ record: DecisionRecord, dryRun: Bool = false) {
        let evaluation = record.evaluation
        self.init(
            id: dryRun ? "" : record.id.uuidString.lowercased(),
            timestamp: record.timestamp,
            modelName: record.modelName,
            candidateVersion: record.candidateVersion,
            productionVersion: record.productionVersion,
            triggerReason: record.trigger.message,
            action: evaluation.action.message,
            gates: evaluation.gates.map {
                GateResult(
                    name: $0.name,
                    observed: $0.observed,
                    threshold: $0.threshold,
                    passed: $0.passed,
                    skipped: $0.skipped,
                    reason: $0.reason ?? ""
                )
            },
            candidateMetrics: ClassifierMetrics(evaluation.candidate),
            productionMetrics: evaluation.production.map(ClassifierMetrics.init),
            f1GainInterval: evaluation.f1GainInterval.map {
                ConfidenceInterval(
                    lower: $0.lower,
                    upper: $0.upper,
                    confidence: $0.confidence,
                    resamples: Int32($0.resamples)
                )
            },
            driftContext: DriftContext(
                available: record.driftContext.available,
                reason: record.driftContext.reason ?? "",
                featureDriftRatio: record.driftContext.featureDriftRatio,
                numDriftedFeatures: Int32(record.driftContext.driftedFeatureCount),
                datasetDriftDetected: record.driftContext.datasetDrift,
                driftedFeatures: record.driftContext.driftedFeatures,
                windowTimestamp: record.driftContext.windowTimestamp
            ),
            dataContext: DataContext(
                available: record.dataContext.available,
                reason: record.dataContext.reason ?? "",
                predictions: record.dataContext.predictions,
                labeled: record.dataContext.labeled,
                coveragePct: record.dataContext.coveragePct
            ),
            labeledSamples: Int64(record.labeledSamples),
            coveragePct: record.coveragePct,
            idempotencyKey: record.idempotencyKey,
            requestedBy: record.requestedBy,
            promotionState: record.promotionState.message,
            promotionError: record.promotionError ?? "",
            promotionTransitionId: record.promotionTransitionID,
            dryRun: dryRun
        )
    }
}

extension DecisionRecord.PromotionState {
    var message: PromotionState {
        switch self {
        case .none: .notRequired
        case .pending: .pending
        case .applied: .applied
        case .failed: .failed
        case .superseded: .superseded
        }
    }
}
