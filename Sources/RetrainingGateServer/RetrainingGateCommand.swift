import ArgumentParser
import Foundation
import GatePolicy
import GateService
import MLOpsClient
import MLOpsRPC
import MLOpsServiceConfiguration
import MLOpsServiceRuntime
import MLOpsTLS

@main
struct RetrainingGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: GateServiceInfo.executable,
        abstract: "Serves mlops.v1.RetrainingGate: evidence-based promotion decisions, logged and applied.",
        discussion: """
            Reads services/retraining-gate/config.json (or --config), then flags and environment. It calls
            the registry and monitoring over TLS with its own certificate (identity retraining-gate).
            Example:
              retraining-gate --config services/retraining-gate/config.json \\
                --database-url postgres://gate@localhost/mlops --registry-address 127.0.0.1:7001
            """
    )

    @OptionGroup var options: ServiceOptions

    @Option(help: "host:port of model-registry (overrides the file).")
    var registryAddress: String?

    @Option(help: "host:port of monitoring (overrides the file).")
    var monitoringAddress: String?

    @Flag(help: "Apply the database migrations and exit.")
    var migrateOnly = false

    func run() async throws {
        let own = try options.config.map { try ServiceSettings.load(GateSettings.self, from: $0) } ?? GateSettings()
        let thresholds: GateThresholds
        do {
            thresholds = try (own.policy ?? GateThresholds()).validated()
        } catch {
            throw ValidationError("the gate policy is not valid: \(error)")
        }
        let runtime = try ServiceRuntime(
            name: GateServiceInfo.executable,
            rpcService: GateServiceInfo.serviceName,
            migrator: GateServiceInfo.migrator,
            options: options
        )
        let tls = runtime.settings.tls
        func client(_ address: String, serverName: String?) throws -> RPCClient {
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...])
            else { throw ValidationError("'\(address)' is not host:port") }
            let host = String(address[..<colon])
            return try RPCClient(
                configuration: RPCClientConfiguration(
                    host: host,
                    port: port,
                    tls: .client(
                        serverName: serverName ?? host,
                        trustRootsPath: tls.ca,
                        certificateChainPath: tls.certificate,
                        privateKeyPath: tls.key
                    )
                )
            )
        }
        let registry = ModelRegistryClient(
            try client(
                registryAddress ?? own.registry?.address ?? "127.0.0.1:7001",
                // An address from the command line names its own host.
                serverName: registryAddress == nil ? own.registry?.serverName : nil
            )
        )
        let monitoring = MonitoringClient(
            try client(
                monitoringAddress ?? own.monitoring?.address ?? "127.0.0.1:7002",
                serverName: monitoringAddress == nil ? own.monitoring?.serverName : nil
            )
        )
        let claimSeconds = own.promotions?.claimSeconds ?? 30
        let pause = ProcessInfo.processInfo.environment["MLOPS_GATE_PAUSE_BEFORE_PROMOTION"].flatMap(Double.init)
        try await runtime.run(migrateOnly: migrateOnly) { pool in
            let store = DecisionStore(pool: pool)
            let promoter = Promoter(store: store, registry: registry, logger: runtime.logger)
            let evaluator = GateEvaluator(
                store: store,
                registry: registry,
                monitoring: monitoring,
                promoter: promoter,
                thresholds: thresholds,
                lookbackHours: own.monitoring?.lookbackHours ?? 24,
                claimSeconds: claimSeconds,
                pauseBeforePromotion: pause.map { .milliseconds(Int64($0 * 1000)) },
                logger: runtime.logger
            )
            let retrier = PromotionRetrier(
                store: store,
                promoter: promoter,
                every: .milliseconds(Int64((own.promotions?.retryEverySeconds ?? 5) * 1000)),
                claimSeconds: claimSeconds,
                logger: runtime.logger
            )
            return ServiceRuntime.Parts(
                register: GateHandlers(
                    evaluator: evaluator,
                    store: store,
                    loggedEvaluators: own.access?.loggedEvaluators ?? GateHandlers.defaultLoggedEvaluators
                ).register,
                services: [retrier]
            )
        }
    }
}
