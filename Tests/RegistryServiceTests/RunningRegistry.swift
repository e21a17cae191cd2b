import MLOpsClient
import MLOpsMessages
import MLOpsTestSupport
import RegistryService
import Testing

/// The registry suites' running service: `model-registry` replicas (for what
/// crosses processes), or its handlers in process (for what they do).
typealias RunningRegistry = RunningService

extension RunningService {
    /// A typed registry client presenting a certificate for `identity`,
    /// calling `replica`, or every replica when nil.
    func client(_ identity: String = "admin", replica: Int? = 0) throws -> ModelRegistryClient {
        ModelRegistryClient(try rpcClient(identity, replica: replica))
    }

    /// Runs mlopsctl as `identity` against `address` (by default the first
    /// replica); its exit status and output.
    func mlopsctl(_ arguments: [String], as identity: String = "admin", address: String? = nil) async throws -> (
        Int32, String
    ) {
        let client = try identityFiles(identity)
        let process = try ServiceProcess(
            "mlopsctl",
            arguments,
            environment: [
                "MLOPS_REGISTRY_ADDRESS": address ?? "127.0.0.1:\(replicas[0].port)",
                "MLOPS_TLS_CA": authority.authorityPath,
                "MLOPS_TLS_CERT": client.certificatePath, "MLOPS_TLS_KEY": client.keyPath,
            ]
        )
        let status = try #require(await process.exitStatus(waitingUpTo: .seconds(30)))
        return (status, process.log)
    }

    static func start(count: Int, database: TestDatabase, policy: String? = nil) async throws -> RunningService {
        try await start(
            "model-registry",
            serving: "mlops.v1.ModelRegistry",
            count: count,
            database: database,
            extraSettings: policy.map { "\"policy\": \($0)" }
        )
    }
}

extension Trait where Self == RunningServiceTrait {
    /// Runs the suite against freshly started registry replicas, with `policy` (JSON) in their configuration.
    static func runningRegistry(replicas: Int = 1, policy: String? = nil) -> Self {
        RunningServiceTrait(
            executable: "model-registry",
            rpcService: "mlops.v1.ModelRegistry",
            replicas: replicas,
            extraSettings: policy.map { "\"policy\": \($0)" }
        )
    }
}

extension InProcessService {
    /// A typed registry client calling as `identity`.
    func client(_ identity: String = "admin") -> ModelRegistryClient {
        ModelRegistryClient(channel(identity))
    }
}

extension Trait where Self == InProcessServiceTrait {
    /// Runs the suite against the registry's handlers in process, with `policy` (JSON) as its configured policy.
    static func registryInProcess(policy: String? = nil) -> Self {
        InProcessServiceTrait(RegistryApplication.self, settings: policy.map { "{\"policy\": \($0)}" } ?? "{}")
    }
}

extension ModelRegistryClient {
    /// A registered model with `versions` versions, all in None.
    func createModel(_ name: String, versions: Int) async throws {
        _ = try await createRegisteredModel(.init(name: name))
        for _ in 0..<versions { _ = try await createModelVersion(.init(name: name)) }
    }
}
