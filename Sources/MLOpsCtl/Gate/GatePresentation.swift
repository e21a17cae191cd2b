import Foundation
import MLOpsMessages

/// How the gate's decisions are shown: a table by default, JSON with `--json`.
enum GatePresentation {
    static func print(_ decision: Decision, json: Bool) {
        if json {
            Swift.print(self.json(decision).render())
            return
        }
        let production = decision.productionVersion == 0 ? "none" : "v\(decision.productionVersion)"
        Swift.print(
            "\(action(decision.action)) \(decision.modelName) v\(decision.candidateVersion) (Production: \(production))"
                + (decision.dryRun ? "  [dry run, not logged]" : "")
        )
        if !decision.id.isEmpty {
            Swift.print(
                "decision \(decision.id) at \(time(decision.timestamp)), \(trigger(decision.triggerReason)), "
                    + "asked by \(decision.requestedBy); promotion: \(state(decision.promotionState))"
                    + (decision.promotionError.isEmpty ? "" : " (\(decision.promotionError))")
            )
        }
        var gates = Table("GATE", "OBSERVED", "THRESHOLD", "VERDICT")
        for gate in decision.gates {
            gates.add(
                gate.name,
                gate.observed.map(number) ?? "-",
                number(gate.threshold),
                gate.skipped
                    ? "skipped: \(gate.reason)"
                    : gate.passed ? "pass" : "FAIL" + (gate.reason.isEmpty ? "" : ": \(gate.reason)")
            )
        }
        Swift.print("\n" + gates.render())
        var metrics = Table("VERSION", "F1", "PRECISION", "RECALL", "ACCURACY", "BRIER", "ROC AUC", "LOG LOSS")
        for (name, values) in [("candidate", decision.candidateMetrics), ("production", decision.productionMetrics)] {
            guard let values else { continue }
            metrics.add(
                name,
                number(values.f1),
                number(values.precision),
                number(values.recall),
                number(values.accuracy),
                number(values.brier),
                values.rocAuc.map(number) ?? "undefined",
                number(values.logLoss)
            )
        }
        Swift.print("\n" + metrics.render())
        if let interval = decision.f1GainInterval {
            Swift.print(
                "\nF1 gain \(Int(interval.confidence * 100))% interval: [\(number(interval.lower)), \(number(interval.upper))] "
                    + "(\(interval.resamples) paired resamples)"
            )
        }
        if let data = decision.dataContext {
            Swift.print(
                data.available
                    ? "monitoring: \(data.predictions) predictions, \(data.labeled) labelled (\(number(data.coveragePct * 100))%)"
                    : "monitoring: \(data.reason)"
            )
        }
    }

    static func print(_ decisions: [Decision], json: Bool) {
        if json {
            Swift.print(JSONValue.array(decisions.map(self.json)).render())
            return
        }
        var table = Table(
            "WHEN",
            "MODEL",
            "CANDIDATE",
            "PRODUCTION",
            "ACTION",
            "TRIGGER",
            "PROMOTION",
            "FAILED GATES",
            "ID"
        )
        for decision in decisions {
            table.add(
                time(decision.timestamp),
                decision.modelName,
                "v\(decision.candidateVersion)",
                decision.productionVersion == 0 ? "-" : "v\(decision.productionVersion)",
                action(decision.action),
                trigger(decision.triggerReason),
                state(decision.promotionState),
                decision.gates.filter { !$0.passed }.map(\.name).joined(separator: " "),
                decision.id
            )
        }
        Swift.print(table.render())
    }

    static func print(_ stats: GetDecisionStatsResponse, json: Bool) {
        let rows = stats.counts.map { (action($0.action).lowercased(), $0.count) }
        if json {
            Swift.print(
                JSONValue.object(rows.map { ($0.0, JSONValue.integer($0.1)) } + [("total", .integer(stats.total))])
                    .render()
            )
            return
        }
        var table = Table("ACTION", "COUNT", "SHARE")
        for (name, count) in rows {
            table.add(
                name,
                String(count),
                stats.total == 0 ? "-" : String(format: "%.1f%%", Double(count) * 100 / Double(stats.total))
            )
        }
        table.add("total", String(stats.total), "")
        Swift.print(table.render())
    }

    static func print(_ policy: Policy, json: Bool) {
        let rows: [(String, JSONValue)] = [
            ("min_labeled_samples", .integer(policy.minLabeledSamples)),
            ("min_coverage_pct", .number(policy.minCoveragePct)),
            ("min_f1_gain", .number(policy.minF1Gain)), ("max_brier_increase", .number(policy.maxBrierIncrease)),
            ("require_f1_gain_lower_bound_positive", .bool(policy.requireF1GainLowerBoundPositive)),
            ("min_f1", .number(policy.minF1)), ("min_roc_auc", .number(policy.minRocAuc)),
            ("bootstrap_resamples", .integer(Int64(policy.bootstrapResamples))),
            ("confidence", .number(policy.confidence)),
            ("decision_threshold", .number(policy.decisionThreshold)),
        ]
        if json {
            Swift.print(JSONValue.object(rows).render())
            return
        }
        var table = Table("SETTING", "VALUE")
        for (name, value) in rows { table.add(name, value.render()) }
        Swift.print(table.render())
    }

    static func json(_ decision: Decision) -> JSONValue {
        func metrics(_ values: ClassifierMetrics?) -> JSONValue {
            guard let values else { return .null }
            return .object([
                ("f1", .number(values.f1)), ("precision", .number(values.precision)),
                ("recall", .number(values.recall)),
                ("accuracy", .number(values.accuracy)), ("brier", .number(values.brier)),
                ("roc_auc", values.rocAuc.map(JSONValue.number) ?? .null), ("log_loss", .number(values.logLoss)),
            ])
        }
        return .object([
            ("id", .string(decision.id)), ("timestamp", .string(time(decision.timestamp))),
            ("model", .string(decision.modelName)), ("candidate_version", .integer(decision.candidateVersion)),
            ("production_version", .integer(decision.productionVersion)),
            ("trigger", .string(trigger(decision.triggerReason))),
            ("action", .string(action(decision.action).lowercased())),
            (
                "gates",
                .array(
                    decision.gates.map {
                        .object([
                            ("name", .string($0.name)), ("observed", $0.observed.map(JSONValue.number) ?? .null),
                            ("threshold", .number($0.threshold)), ("passed", .bool($0.passed)),
                            ("skipped", .bool($0.skipped)), ("reason", $0.reason.isEmpty ? .null : .string($0.reason)),
                        ])
                    }
                )
            ),
            ("candidate_metrics", metrics(decision.candidateMetrics)),
            ("production_metrics", metrics(decision.productionMetrics)),
            (
                "f1_gain_interval",
                decision.f1GainInterval.map { .array([.number($0.lower), .number($0.upper)]) } ?? .null
            ),
            ("labeled_samples", .integer(decision.labeledSamples)),
            ("coverage_pct", decision.coveragePct.map(JSONValue.number) ?? .null),
            ("requested_by", .string(decision.requestedBy)), ("promotion", .string(state(decision.promotionState))),
            ("promotion_error", decision.promotionError.isEmpty ? .null : .string(decision.promotionError)),
            ("dry_run", .bool(decision.dryRun)),
        ])
    }

    static func action(_ action: DecisionAction) -> String {
        switch action {
        case .promote: "PROMOTE"
        case .reject: "REJECT"
        default: "-"
        }
    }

    static func trigger(_ trigger: TriggerReason) -> String {
        switch trigger {
        case .scheduled: "scheduled"
        case .drift: "drift"
        case .manual: "manual"
        default: "-"
        }
    }

    static func state(_ state: PromotionState) -> String {
        switch state {
        case .notRequired: "not required"
        case .pending: "pending"
        case .applied: "applied"
        case .superseded: "superseded"
        case .failed: "failed"
        default: "-"
        }
    }

    static func number(_ value: Double) -> String { String(format: "%.4g", value) }

    static func time(_ milliseconds: Int64) -> String { RegistryPresentation.time(milliseconds) }
}
