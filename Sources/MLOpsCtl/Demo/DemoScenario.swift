import ArgumentParser
import Foundation
import GatePolicy
import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTLSTransport

/// The demo's story, told through the real services over TLS with the
/// identities a real deployment would use: the training pipeline
/// (`trainer`), the serving code (`serving`) and a person (`admin`).
struct DemoScenario {
    static let hours = 24
    static let predictionsPerHour = 1_000
    /// The last hours, in which the world has shifted.
    static let shiftedHours = 6
    static let referenceRows = 5_000
    /// Share of predictions whose outcome is known once they are an hour old.
    static let labelledShare = 0.7
    static let hour: Int64 = 3_600_000

    let stack: StackEndpoints
    let model: String
    let reportFile: URL
    /// The end of the demo's day: just before now, off the hour so that the
    /// monitoring schedule's own windows (on the hour) never share an end with its windows.
    let end: Int64
    var start: Int64 { end - Int64(Self.hours) * Self.hour }
    var outcome = DemoOutcome()
    private var currentStep = "the start"

    init(stack: StackEndpoints, model: String, reportFile: URL, now: Date = Date()) {
        self.stack = stack
        self.model = model
        self.reportFile = reportFile
        end = Int64(now.timeIntervalSince1970) * 1_000 - 500
    }

    /// Sets of calls as one identity.
    struct Clients {
        let registry: ModelRegistryClient
        let monitoring: MonitoringClient
        let gate: RetrainingGateClient
        let connections: [RPCClient]

        init(_ stack: StackEndpoints, as identity: String) throws {
            let connections = try [DevStack.registry, DevStack.monitoring, DevStack.gate].map {
                try stack.client($0, as: identity)
            }
            registry = ModelRegistryClient(connections[0])
            monitoring = MonitoringClient(connections[1])
            gate = RetrainingGateClient(connections[2])
            self.connections = connections
        }

        func close() async { for connection in connections { await connection.close() } }
    }

    mutating func run() async throws {
        let (trainer, serving, admin) = (
            try Clients(stack, as: "trainer"), try Clients(stack, as: "serving"), try Clients(stack, as: "admin")
        )
        defer { Task { for clients in [trainer, serving, admin] { await clients.close() } } }

        if (try? await serving.registry.getRegisteredModel(.init(name: model))) != nil {
            throw CommandFailure(
                """
                this stack already holds '\(model)' (an earlier demo?). Start from a clean stack with \
                `mlopsctl dev up --reset`, or give the demo another name with --model.
                """
            )
        }
        var world = CreditRiskWorld(seed: 20_261_130)
        do {
            try await registerFirstVersion(trainer, admin)
            try await uploadReference(&world, trainer)
            let recent = try await logTheDay(&world, serving)
            try await runWindows(serving)
            try await retrainAndAskTheGate(recent, trainer, serving)
            try await printTheRecord(serving)
        } catch let error as RPCError {
            throw CommandFailure("the demo stopped at \"\(currentStep)\": \(error.code): \(error.message)")
        }
    }

    // MARK: the story

    private mutating func registerFirstVersion(_ trainer: Clients, _ admin: Clients) async throws {
        step("The training pipeline (trainer) registers \(model) v1; a person (admin) puts it in Production")
        _ = try await trainer.registry.createRegisteredModel(
            .init(name: model, description: "Scores loan applications: probability of default", tags: ["team": "risk"])
        )
        let v1 = try await register(trainer, "before", description: "trained on last year's applicants")
        _ = try await trainer.registry.transitionModelVersionStage(
            .init(name: model, version: v1, stage: "Staging", comment: "validation passed")
        )
        let production = try await admin.registry.transitionModelVersionStage(
            .init(name: model, version: v1, stage: "Production", comment: "first model, approved by hand")
        )
        outcome.expect(production.modelVersion?.currentStage == "Production", "v1 is in Production")
    }

    private mutating func uploadReference(_ world: inout CreditRiskWorld, _ trainer: Clients) async throws {
        step("The pipeline uploads v1's training data as the drift reference (\(Self.referenceRows) applicants)")
        let rows = (0..<Self.referenceRows).map { _ in
            let applicant = world.applicant(shift: 0)
            return ReferenceRow(
                numericFeatures: applicant.numericFeatures,
                categoricalFeatures: applicant.categoricalFeatures,
                probability: CreditModel.before.probability(applicant)
            )
        }
        let upload = try await trainer.monitoring.beginReferenceUpload(
            .init(modelName: model, schema: CreditRiskWorld.schema)
        )
        _ = try await trainer.monitoring.appendReferenceRows(.init(uploadId: upload.uploadId, rows: rows))
        let committed = try await trainer.monitoring.commitReferenceUpload(.init(uploadId: upload.uploadId))
        let reference = try Self.present(committed.reference, "the committed reference")
        MonitoringPresentation.print(reference, json: false)
        outcome.expect(
            reference.rowCount == Int64(Self.referenceRows),
            "the reference holds \(Self.referenceRows) rows"
        )
    }

    /// A day of v1's predictions, the last hours in the shifted world, then
    /// the labels known by now. Returns the labelled applicants of the
    /// shifted hours: the recent data the candidates are judged on.
    private mutating func logTheDay(
        _ world: inout CreditRiskWorld,
        _ serving: Clients
    ) async throws -> [(CreditRiskWorld.Applicant, Int32)] {
        let total = Self.hours * Self.predictionsPerHour
        step(
            "Serving (serving) logs a day of v1's predictions, \(total) in all; in the last \(Self.shiftedHours) hours "
                + "the applicants change. Outcomes arrive later: for \(Int(Self.labelledShare * 100)) % of those over an hour old."
        )
        var predictions: [Prediction] = []
        var labels: [Label] = []
        var recent: [(CreditRiskWorld.Applicant, Int32)] = []
        let spacing = Self.hour / Int64(Self.predictionsPerHour)
        for hour in 0..<Self.hours {
            let shifted = hour >= Self.hours - Self.shiftedHours
            let truth = shifted ? CreditModel.after : .before
            for index in 0..<Self.predictionsPerHour {
                let applicant = world.applicant(shift: shifted ? 1 : 0)
                let timestamp = start + Int64(hour) * Self.hour + Int64(index + 1) * spacing
                let id = "\(model)-\(end / 1_000)-\(hour * Self.predictionsPerHour + index)"
                let probability = CreditModel.before.probability(applicant)
                predictions.append(
                    Prediction(
                        predictionId: id,
                        modelName: model,
                        modelVersion: 1,
                        timestamp: timestamp,
                        numericFeatures: applicant.numericFeatures,
                        categoricalFeatures: applicant.categoricalFeatures,
                        probability: probability,
                        predictedLabel: probability >= 0.5 ? 1 : 0
                    )
                )
                let label: Int32 = world.defaults(applicant, truth: truth) ? 1 : 0
                guard world.chance(Self.labelledShare), timestamp <= end - Self.hour else { continue }
                labels.append(Label(predictionId: id, label: label, timestamp: timestamp + Self.hour, modelName: model))
                if shifted { recent.append((applicant, label)) }
            }
        }
        let progress = Progress(label: "predictions", total: predictions.count)
        var accepted: Int64 = 0
        for first in stride(from: 0, to: predictions.count, by: 5_000) {
            let batch = Array(predictions[first..<min(first + 5_000, predictions.count)])
            accepted += try await serving.monitoring.logPredictions(.init(predictions: batch)).accepted
            progress.update(first + batch.count)
        }
        let labelled = try await serving.monitoring.logLabels(.init(labels: labels))
        print("logged \(accepted) predictions and \(labelled.updated) labels")
        outcome.expect(accepted == Int64(total), "all \(total) predictions are stored")
        outcome.expect(labelled.updated == Int64(labels.count), "all \(labels.count) labels found their prediction")
        return recent
    }

    private mutating func runWindows(_ serving: Clients) async throws {
        step("Monitoring analyses the day hour by hour against the reference")
        var table = Table("WINDOW END", "PREDICTIONS", "LABELLED", "DRIFTED", "RATIO", "DATASET DRIFT", "MOST DRIFTED")
        var latest: MonitoringMetrics?
        var driftBeforeTheShift: [String] = []
        var unseenDrift: [String] = []
        for hour in 1...Self.hours {
            let response = try await serving.monitoring.runMonitoring(
                .init(modelName: model, lookbackHours: 1, asOf: start + Int64(hour) * Self.hour)
            )
            guard let metrics = response.metrics else { continue }
            let drifted = response.features.filter(\.drifted).map(\.feature)
            table.add(
                RegistryPresentation.time(metrics.timestamp),
                String(metrics.numPredictions),
                String(metrics.labeledPredictions),
                "\(metrics.numDriftedFeatures)/\(response.features.count)",
                MonitoringPresentation.number(metrics.featureDriftRatio),
                metrics.datasetDriftDetected ? "yes" : "no",
                drifted.prefix(3).joined(separator: ", ")
            )
            let time = RegistryPresentation.time(metrics.timestamp)
            if hour > Self.hours - Self.shiftedHours {
                let missed = CreditRiskWorld.shiftedFeatures.subtracting(drifted)
                if !metrics.datasetDriftDetected || !missed.isEmpty {
                    unseenDrift.append("\(time) missed \(missed.sorted().joined(separator: ", "))")
                }
            } else if metrics.datasetDriftDetected {
                driftBeforeTheShift.append(time)
            }
            latest = metrics
        }
        print(table.render())
        outcome.expect(
            driftBeforeTheShift.isEmpty,
            "no dataset drift in the \(Self.hours - Self.shiftedHours) hours before the shift"
                + (driftBeforeTheShift.isEmpty ? "" : " (found in \(driftBeforeTheShift.joined(separator: ", ")))")
        )
        outcome.expect(
            unseenDrift.isEmpty,
            "dataset drift in each of the last \(Self.shiftedHours) hours, every shifted feature found"
                + (unseenDrift.isEmpty ? "" : " (\(unseenDrift.joined(separator: "; ")))")
        )

        guard let ref = latest?.driftReportRef, !ref.isEmpty else {
            outcome.expect(false, "the latest window wrote a drift report")
            return
        }
        var report = Data()
        for try await chunk in serving.monitoring.getArtifact(.init(ref: ref)) { report.append(contentsOf: chunk.data) }
        try FileManager.default.createDirectory(
            at: reportFile.deletingLastPathComponent(),
            withIntermediateDirectories: true
        )
        try report.write(to: reportFile)
        let page = String(decoding: report, as: UTF8.self)
        outcome.expect(
            page.contains("<svg") && CreditRiskWorld.schema.allSatisfy { page.contains($0.name) },
            "the latest window's HTML report has its charts (\(report.count) bytes, fetched through GetArtifact)"
        )
    }

    private mutating func retrainAndAskTheGate(
        _ recent: [(CreditRiskWorld.Applicant, Int32)],
        _ trainer: Clients,
        _ serving: Clients
    ) async throws {
        step("Drift: the pipeline retrains. v2 learns the shifted world; v3's feature pipeline lost two features")
        let v2 = try await register(trainer, "after", description: "retrained on the last hours' applicants")
        let v3 = try await register(trainer, "broken-pipeline", description: "retrained; credit_score and dti missing")
        print(
            "registered v\(v2) and v\(v3); both are scored on the \(recent.count) labelled applicants of the shifted hours"
        )

        step("The gate judges v2 against Production (v1) on those labels")
        let promoted = try await evaluate(v2, recent, trainer, serving)
        outcome.expect(promoted.action == .promote, "the gate promotes v2")
        outcome.expect(promoted.promotionState == .applied, "v2's promotion is applied in the registry")
        let stages = try await stages(serving)
        outcome.expect(stages[v2] == "Production" && stages[1] == "Archived", "v2 serves, v1 is archived")

        step("The gate judges v3 against Production (now v2)")
        let rejected = try await evaluate(v3, recent, trainer, serving)
        let failed = rejected.gates.filter { !$0.passed && !$0.skipped }.map(\.name)
        outcome.expect(
            rejected.action == .reject && failed.contains("min_f1_gain"),
            "the gate rejects v3 (failed: \(failed.joined(separator: ", ")))"
        )
        outcome.expect(try await self.stages(serving)[v3] == "None", "v3 stays out of Production")
    }

    private mutating func printTheRecord(_ serving: Clients) async throws {
        step("The record: who moved which version, when, and on which decision")
        let history = try await serving.registry.listTransitions(.init(name: model, maxResults: 100))
        RegistryPresentation.print(history.transitions, json: false)

        step("Decision history")
        let decisions = try await serving.gate.listDecisions(.init(modelName: model))
        GatePresentation.print(decisions.decisions, json: false)

        step("Drift trend")
        let trend = try await serving.monitoring.getDriftTrend(.init(modelName: model, since: start, until: end))
        MonitoringPresentation.print(trend.points, json: false)

        step("Drift report")
        print("\(reportFile.path)   (open it in a browser; its charts are inline SVG)")
    }

    // MARK: helpers

    /// Registers a version trained as `kind` (the tag the demo scores it by),
    /// with the F1 and Brier score its pipeline measured on held-out data of the world it was trained in.
    private func register(_ trainer: Clients, _ kind: String, description: String) async throws -> Int64 {
        let scorer = Self.scorer(kind)
        let (truth, shift) = kind == "before" ? (CreditModel.before, 0.0) : (CreditModel.after, 1.0)
        var heldOut = CreditRiskWorld(seed: 7)
        var labels: [Int32] = []
        var probabilities: [Double] = []
        for _ in 0..<2_000 {
            let applicant = heldOut.applicant(shift: shift)
            labels.append(heldOut.defaults(applicant, truth: truth) ? 1 : 0)
            probabilities.append(scorer.probability(applicant))
        }
        let validation = ClassifierScores(labels: labels, probabilities: probabilities)
        let response = try await trainer.registry.createModelVersion(
            .init(
                name: model,
                source: "demo://\(model)/\(kind)",
                runId: "train-\(kind)",
                description: description,
                tags: ["demo.training": kind],
                f1Score: validation.f1,
                brierScore: validation.brier
            )
        )
        return try Self.present(response.modelVersion, "the created version").version
    }

    private static func scorer(_ kind: String?) -> CreditModel {
        switch kind {
        case "after": .after
        case "broken-pipeline": .brokenPipeline
        default: .before
        }
    }

    /// Scores the samples with the candidate and with whatever the registry
    /// says is in Production, and asks the gate.
    private func evaluate(
        _ candidate: Int64,
        _ samples: [(CreditRiskWorld.Applicant, Int32)],
        _ trainer: Clients,
        _ serving: Clients
    ) async throws -> Decision {
        let production = try Self.present(
            try await serving.registry.getLatestVersions(.init(name: model, stages: ["Production"])).modelVersions
                .first,
            "a Production version of \(model)"
        )
        let candidateModel = Self.scorer(
            try Self.present(
                try await serving.registry.getModelVersion(.init(name: model, version: candidate)).modelVersion,
                "version \(candidate)"
            ).tags["demo.training"]
        )
        let productionModel = Self.scorer(production.tags["demo.training"])
        let response = try await trainer.gate.evaluate(
            .init(
                modelName: model,
                candidateVersion: candidate,
                triggerReason: .drift,
                labels: samples.map(\.1),
                candidateProbabilities: samples.map { candidateModel.probability($0.0) },
                productionProbabilities: samples.map { productionModel.probability($0.0) },
                idempotencyKey: "demo-\(model)-\(end)-v\(candidate)"
            )
        )
        let decision = try Self.present(response.decision, "the gate's decision")
        GatePresentation.print(decision, json: false)
        return decision
    }

    /// Each version's stage, by version number.
    private func stages(_ serving: Clients) async throws -> [Int64: String] {
        let versions = try await serving.registry.searchModelVersions(.init(filter: "name = '\(model)'"))
        return Dictionary(uniqueKeysWithValues: versions.modelVersions.map { ($0.version, $0.currentStage) })
    }

    /// A field the services always fill, or a clear failure if one did not.
    private static func present<Value>(_ value: Value?, _ what: String) throws -> Value {
        guard let value else { throw CommandFailure("the answer lacked \(what)") }
        return value
    }

    private mutating func step(_ title: String) {
        currentStep = title
        print("\n== \(title)\n")
    }
}
