import GatePolicy
package import Logging
import MLOpsClient
import MLOpsMessages
package import MLOpsPostgres
import MLOpsRPC
package import MLOpsServiceConfiguration
package import MLOpsServiceRuntime
import MLOpsTLS
import MLOpsTLSTransport

/// `retraining-gate`: evidence-based promotion decisions (shared/specs/gate.md).
/// It calls the registry and monitoring over TLS with its own certificate.
package struct GateApplication: ServiceApplication {
    package static let executable = "retraining-gate"
    package static let rpcServiceName = RetrainingGateMethods.serviceName
    package static let migrator = GateMigrations.migrator

    /// Fault injection for the tests: a pause, in seconds, between logging a
    /// promotion and applying it, so a test can stop the gate in between.
    static let pauseVariable = "MLOPS_GATE_PAUSE_BEFORE_PROMOTION"

    let settings: GateSettings
    let thresholds: GateThresholds
    let registry: ModelRegistryClient
    let monitoring: MonitoringClient
    let pauseBeforePromotion: Duration?
    let logger: Logger

    package init(settings: GateSettings, common: ServiceSettings, logger: Logger) throws {
        self.settings = settings
        do {
            thresholds = try (settings.policy ?? GateThresholds()).validated()
        } catch {
            throw SettingsError("the gate policy is not valid: \(error)")
        }
        let tls = common.tls
        func client(_ peer: GateSettings.Peer) throws -> RPCClient {
            let client = TLSConfiguration.client(
                serverName: peer.serverName,
                trustRootsPath: tls.ca,
                certificateChainPath: tls.certificate,
                privateKeyPath: tls.key
            )
            return try RPCClient(configuration: RPCClientConfiguration(targets: try peer.targets(), tls: client))
        }
        registry = ModelRegistryClient(try client(settings.registryPeer))
        monitoring = MonitoringClient(try client(settings.monitoringPeer))
        pauseBeforePromotion = FaultInjection.pause(Self.pauseVariable)
        self.logger = logger
    }

    /// The handlers, and the retrier that finishes promotions a crash or an
    /// unreachable registry left pending.
    package func components(pool: PostgresPool) -> ServiceComponents {
        let store = DecisionStore(pool: pool)
        let promoter = Promoter(store: store, registry: registry, logger: logger)
        let claimSeconds = settings.promotions?.claimSeconds ?? 30
        let evaluator = GateEvaluator(
            store: store,
            registry: registry,
            monitoring: monitoring,
            promoter: promoter,
            thresholds: thresholds,
            lookbackHours: settings.monitoring?.lookbackHours ?? 24,
            claimSeconds: claimSeconds,
            pauseBeforePromotion: pauseBeforePromotion,
            logger: logger
        )
        let retrier = PromotionRetrier(
            store: store,
            promoter: promoter,
            every: .milliseconds(Int64((settings.promotions?.retryEverySeconds ?? 5) * 1000)),
            claimSeconds: claimSeconds,
            logger: logger
        )
        let handlers = GateHandlers(
            evaluator: evaluator,
            store: store,
            loggedEvaluators: settings.access?.loggedEvaluators ?? GateHandlers.defaultLoggedEvaluators
        )
        return ServiceComponents(rpcServices: [handlers], services: [retrier])
    }
}
