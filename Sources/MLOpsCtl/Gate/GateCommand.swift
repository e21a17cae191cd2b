import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsMessages

/// `mlopsctl gate …`: every RetrainingGate RPC.
struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Evaluate candidates, and read the decisions the retraining gate logged.",
        discussion: """
            Examples:
              mlopsctl gate evaluate credit-risk-model --candidate 2 scores.csv --trigger drift --idempotency-key retrain-2026-11-29
              mlopsctl bench gate-evaluate credit-risk-model --candidate 2 --samples-file scores.csv --rate 500
              mlopsctl gate list --model credit-risk-model --action promote
              mlopsctl gate show 0b6f3c1e-…
              mlopsctl gate stats --since 2026-11-01T00:00:00Z
              mlopsctl gate policy
            Connection: --address (or MLOPS_GATE_ADDRESS), --ca/--cert/--key (or MLOPS_TLS_CA/CERT/KEY).
            """,
        subcommands: [Evaluate.self, Show.self, List.self, Stats.self, ShowPolicy.self]
    )

    /// The gate's port when nothing says otherwise (services/retraining-gate/config.json).
    static let defaultPort = 7003

    static func call(_ connection: ConnectionOptions, _ body: (RetrainingGateClient) async throws -> Void) async throws
    {
        let client = try connection.client(service: "gate", defaultPort: defaultPort)
        try await withService("retraining-gate", client, wrap: RetrainingGateClient.init, body)
    }

    static func trigger(_ text: String) throws -> TriggerReason {
        switch text {
        case "scheduled": .scheduled
        case "drift": .drift
        case "manual": .manual
        default: throw ValidationError("--trigger is scheduled, drift or manual, not '\(text)'")
        }
    }

    /// An Evaluate request for `candidate` with the labelled samples of a CSV
    /// (label, candidate, and production when the model has one).
    static func request(model: String, candidate: Int64, samples file: String) throws -> EvaluateRequest {
        let csv = try CSV(path: file)
        guard let label = csv.column("label"), let candidateColumn = csv.column("candidate") else {
            throw ValidationError("\(file) needs the columns label and candidate (and production when there is one)")
        }
        let production = csv.column("production")
        var request = EvaluateRequest(modelName: model, candidateVersion: candidate)
        for (line, row) in csv.rows.enumerated() {
            func probability(_ column: Int, _ name: String) throws -> Double {
                guard let value = Double(row[column]), value.isFinite else {
                    throw ValidationError("\(file) line \(line + 2): \(name) '\(row[column])' is not a finite number")
                }
                return value
            }
            guard let value = Int32(row[label]), value == 0 || value == 1 else {
                throw ValidationError("\(file) line \(line + 2): label '\(row[label])' is not 0 or 1")
            }
            request.labels.append(value)
            request.candidateProbabilities.append(try probability(candidateColumn, "candidate"))
            if let production { request.productionProbabilities.append(try probability(production, "production")) }
        }
        return request
    }

    static func action(_ text: String) throws -> DecisionAction {
        switch text {
        case "promote": .promote
        case "reject": .reject
        default: throw ValidationError("--action is promote or reject, not '\(text)'")
        }
    }
}

extension GateCommand {
    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Judge a candidate on labelled samples from a CSV (label, candidate, production).",
            discussion: """
                The CSV has a header with label (0 or 1), candidate (the candidate's probability of the
                positive class) and production (the Production version's; leave the column out when the
                model has none). Prints every gate with its observed value, threshold and verdict.
                Example:
                  mlopsctl gate evaluate credit-risk-model --candidate 7 scores.csv --trigger drift
                """
        )
        @Argument var model: String
        @Option var candidate: Int64
        @Argument(help: "label,candidate,production per row.") var file: String
        @Option(help: "scheduled, drift or manual.") var trigger = "manual"
        @Option(help: "The same key returns the stored decision, so a retry is safe (default: a new one).")
        var idempotencyKey: String?
        @Flag(help: "Decide without logging or promoting.") var dryRun = false
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            var request = try GateCommand.request(model: model, candidate: candidate, samples: file)
            request.triggerReason = try GateCommand.trigger(trigger)
            request.idempotencyKey = idempotencyKey ?? (dryRun ? "" : UUID().uuidString.lowercased())
            request.dryRun = dryRun
            try await GateCommand.call(connection) { gate in
                let response = try await gate.evaluate(request, options: connection.callOptions)
                GatePresentation.print(response.decision!, json: connection.json)
                if response.replayed && !connection.json { print("(the key had been used: the stored decision)") }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One decision, gate by gate.",
            discussion: "Example: mlopsctl gate show 4cc977a3-01d1-45d7-a713-a0dac517d8b5 --json"
        )
        @Argument var id: String
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await GateCommand.call(connection) { gate in
                let response = try await gate.getDecision(.init(id: id), options: connection.callOptions)
                GatePresentation.print(response.decision!, json: connection.json)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decisions newest first (the seed's v_decision_history), filtered and paged.",
            discussion: "Example: mlopsctl gate list --model credit-risk-model --action reject"
        )
        @Option var model = ""
        @Option(help: "promote or reject.") var action: String?
        @Option(help: "scheduled, drift or manual.") var trigger: String?
        @OptionGroup var period: Period
        @Option var maxResults: Int32 = 0
        @Option var pageToken = ""
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let request = ListDecisionsRequest(
                modelName: model,
                action: try action.map(GateCommand.action) ?? .unspecified,
                triggerReason: try trigger.map(GateCommand.trigger) ?? .unspecified,
                since: try period.start,
                until: try period.end,
                maxResults: maxResults,
                pageToken: pageToken
            )
            try await GateCommand.call(connection) { gate in
                let response = try await gate.listDecisions(request, options: connection.callOptions)
                GatePresentation.print(response.decisions, json: connection.json)
                notePageToken(response.nextPageToken)
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decisions by action over a period (the seed's decision success rate).",
            discussion: "Example: mlopsctl gate stats --model credit-risk-model --since 2026-11-01T00:00:00Z"
        )
        @Option var model = ""
        @OptionGroup var period: Period
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let request = GetDecisionStatsRequest(modelName: model, since: try period.start, until: try period.end)
            try await GateCommand.call(connection) { gate in
                let response = try await gate.getDecisionStats(request, options: connection.callOptions)
                GatePresentation.print(response, json: connection.json)
            }
        }
    }

    struct ShowPolicy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy",
            abstract: "The thresholds in force.",
            discussion: "Example: mlopsctl gate policy --json"
        )
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await GateCommand.call(connection) { gate in
                let response = try await gate.getPolicy(.init(), options: connection.callOptions)
                GatePresentation.print(response.policy!, json: connection.json)
            }
        }
    }
}
