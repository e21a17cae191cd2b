import Foundation
package import GatePolicy
package import Logging
package import MLOpsClient
import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC

/// One evaluation (shared/specs/gate.md): validate, look the versions up in
/// the registry, ask monitoring for the context, judge, log the decision
/// (promotion pending), and promote through the registry.
package struct GateEvaluator: Sendable {
    let store: DecisionStore
    let registry: ModelRegistryClient
    let monitoring: MonitoringClient
    let promoter: Promoter
    package let thresholds: GateThresholds
    let lookbackHours: Int32
    let claimSeconds: Double
    /// Fault injection for tests (MLOPS_GATE_PAUSE_BEFORE_PROMOTION): a
    /// pause between logging a promotion and applying it, in which a test
    /// stops the registry or kills the gate.
    let pauseBeforePromotion: Duration?
    let logger: Logger
    /// The candidate's stage and the Production version, per (model, candidate), for a second.
    private let versionCache = ExpiringCache<Int64>(lifetime: .seconds(1))
    /// Monitoring's context per model, for five seconds: its windows move hourly.
    private let contextCache = ExpiringCache<(DriftContextFacts, DataContextFacts)>(
        lifetime: .seconds(5),
        servingStale: true
    )

    package init(
        store: DecisionStore,
        registry: ModelRegistryClient,
        monitoring: MonitoringClient,
        promoter: Promoter,
        thresholds: GateThresholds,
        lookbackHours: Int32,
        claimSeconds: Double,
        pauseBeforePromotion: Duration? = nil,
        logger: Logger
    ) {
        self.store = store
        self.registry = registry
        self.monitoring = monitoring
        self.promoter = promoter
        self.thresholds = thresholds
        self.lookbackHours = lookbackHours
        self.claimSeconds = claimSeconds
        self.pauseBeforePromotion = pauseBeforePromotion
        self.logger = logger
    }

    package struct Request: Sendable {
        package var model: String
        package var candidateVersion: Int64
        package var trigger: DecisionRecord.Trigger?
        package var samples: LabelledSamples
        package var idempotencyKey: String
        package var dryRun: Bool
        package var caller: String

        package init(
            model: String,
            candidateVersion: Int64,
            trigger: DecisionRecord.Trigger?,
            samples: LabelledSamples,
            idempotencyKey: String,
            dryRun: Bool,
            caller: String
        ) {
            self.model = model
            self.candidateVersion = candidateVersion
            self.trigger = trigger
            self.samples = samples
            self.idempotencyKey = idempotencyKey
            self.dryRun = dryRun
            self.caller = caller
        }
    }

    /// Monitoring is asked briefly: when it does not answer, the decision is made without its context.
    static let monitoringTimeout = Duration.seconds(2)
    static let registryTimeout = Duration.seconds(5)

    package func evaluate(_ request: Request) async throws -> (DecisionRecord, replayed: Bool) {
        guard !request.model.isEmpty else { throw ServiceRefusal.invalid("model_name is empty") }
        // Both are keys of indexes (here and in the registry), whose entries PostgreSQL caps.
        guard request.model.unicodeScalars.count <= 256 else {
            throw ServiceRefusal.invalid("model_name is longer than 256 characters")
        }
        guard request.idempotencyKey.unicodeScalars.count <= 128 else {
            throw ServiceRefusal.invalid("idempotency_key is longer than 128 characters")
        }
        guard request.candidateVersion > 0 else {
            throw ServiceRefusal.invalid("candidate_version \(request.candidateVersion) is not a version number")
        }
        guard let trigger = request.trigger else {
            throw ServiceRefusal.invalid("trigger_reason must be SCHEDULED, DRIFT or MANUAL")
        }
        guard request.dryRun || !request.idempotencyKey.isEmpty else {
            throw ServiceRefusal.invalid("idempotency_key is empty: a logged evaluation needs one, so a retry is safe")
        }
        let fingerprint = RequestFingerprint(
            model: request.model,
            candidate: request.candidateVersion,
            trigger: trigger.rawValue,
            samples: request.samples.labels,
            request.samples.candidate,
            request.samples.production
        ).text

        // The samples are checked before anyone is asked; whether production's scores are needed, after.
        let samples = try Self.checked(request.samples)
        let productionVersion: Int64
        do {
            productionVersion = try await versionCache.value("\(request.model)\u{0}\(request.candidateVersion)") {
                try await versions(request)
            }
        } catch let error as ServiceRefusal where error.code == .unavailable && !request.dryRun {
            // A retry of a logged request still gets its decision while the registry is away.
            if let (stored, storedFingerprint) = try await store.find(key: request.idempotencyKey),
                storedFingerprint == fingerprint
            {
                return (stored, true)
            }
            throw error
        }
        if productionVersion != 0 && samples.production.isEmpty {
            throw ServiceRefusal.invalid(
                "the model has a Production version (\(productionVersion)): production_probabilities are needed to compare with it"
            )
        }
        let (drift, data) = try await contextCache.value(request.model) { await context(request.model) }
        let evaluation = GateEvaluation(
            samples: samples,
            hasProduction: productionVersion != 0,
            coverage: data.available ? data.coveragePct : nil,
            thresholds: thresholds,
            key: request.idempotencyKey
        )
        let record = DecisionRecord(
            timestamp: EpochMilliseconds.now,
            modelName: request.model,
            candidateVersion: request.candidateVersion,
            productionVersion: productionVersion,
            trigger: trigger,
            evaluation: evaluation,
            driftContext: drift,
            dataContext: data,
            labeledSamples: samples.labels.count,
            coveragePct: data.available ? data.coveragePct : nil,
            idempotencyKey: request.idempotencyKey,
            requestedBy: request.caller,
            promotionState: evaluation.action == .promote && !request.dryRun ? .pending : .none
        )
        guard !request.dryRun else { return (record, false) }

        // A key used before comes back from the insert: the stored decision, or ALREADY_EXISTS.
        let (logged, replayed) = try await store.insert(record, fingerprint: fingerprint, claimSeconds: claimSeconds)
        guard !replayed, logged.action == .promote else { return (logged, replayed) }
        // Logged and claimed: apply now; if the registry does not answer, the retrier will.
        if let pauseBeforePromotion { try await Task.sleep(for: pauseBeforePromotion) }
        try await promoter.apply(logged)
        // Production changed (or is about to): the next evaluation of this model asks again.
        versionCache.remove { $0.hasPrefix("\(request.model)\u{0}") }
        return (try await store.get(id: logged.id) ?? logged, false)
    }

    private static func checked(_ samples: LabelledSamples) throws -> LabelledSamples {
        do {
            return try samples.validated(hasProduction: false)
        } catch {
            throw ServiceRefusal.invalid(error.description)
        }
    }

    /// The Production version (0 for none), after checking the candidate can be promoted.
    private func versions(_ request: Request) async throws -> Int64 {
        let options = CallOptions(timeout: Self.registryTimeout)
        do {
            let candidate = try await registry.getModelVersion(
                .init(name: request.model, version: request.candidateVersion),
                options: options
            )
            if candidate.modelVersion?.currentStage == "Archived" {
                throw ServiceRefusal.precondition(
                    "version \(request.candidateVersion) of '\(request.model)' is Archived; it cannot be promoted"
                )
            }
            let latest = try await registry.getLatestVersions(
                .init(name: request.model, stages: ["Production"]),
                options: options
            )
            return latest.modelVersions.first?.version ?? 0
        } catch let error as RPCError where error.code == .notFound {
            throw ServiceRefusal.precondition(
                "version \(request.candidateVersion) of '\(request.model)' is not in the registry: \(error.message)"
            )
        } catch let error as RPCError {
            throw ServiceRefusal(
                code: .unavailable,
                message: "the registry could not be asked about the candidate: \(error.code): \(error.message)"
            )
        }
    }

    /// The latest window's drift and the data context; unavailable (with why) when monitoring does not answer.
    private func context(_ model: String) async -> (DriftContextFacts, DataContextFacts) {
        do {
            let context = try await monitoring.getDataContext(
                .init(modelName: model, lookbackHours: lookbackHours),
                options: CallOptions(timeout: Self.monitoringTimeout)
            )
            let data = DataContextFacts(
                available: true,
                reason: nil,
                predictions: context.predictions,
                labeled: context.labeled,
                coveragePct: context.coveragePct
            )
            guard let window = context.latestMetrics else {
                return (.unavailable("monitoring has run no window for '\(model)' yet"), data)
            }
            let drift = DriftContextFacts(
                available: true,
                reason: nil,
                featureDriftRatio: window.featureDriftRatio,
                driftedFeatureCount: Int(window.numDriftedFeatures),
                datasetDrift: window.datasetDriftDetected,
                driftedFeatures: context.driftedFeatures,
                windowTimestamp: window.timestamp
            )
            return (drift, data)
        } catch {
            let reason =
                "monitoring did not answer: \((error as? RPCError).map { "\($0.code): \($0.message)" } ?? "\(error)")"
            logger.warning(
                "deciding without monitoring's context",
                metadata: ["model": "\(model)", "error": "\(reason)"]
            )
            return (.unavailable(reason), .unavailable(reason))
        }
    }
}
