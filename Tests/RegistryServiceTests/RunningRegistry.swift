import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC
import MLOpsTLS
import MLOpsTestSupport
import Testing

/// Real `model-registry` processes (replicas) serving the suite's database,
/// with certificates from a CA made for the suite; stopped by SIGTERM after
/// the suite, which must make them exit cleanly.
struct RunningRegistry: Sendable {
    @TaskLocal static var current: RunningRegistry?

    let authority: TestCertificates
    let replicas: [Replica]
    private let identities = IssuedIdentities()

    struct Replica: Sendable {
        let process: ServiceProcess
        let port: Int
        let metricsPort: Int
    }

    /// Starts `count` replicas over `database`, with `policy` (JSON) in their configuration file.
    static func start(count: Int, database: TestDatabase, policy: String? = nil) async throws -> RunningRegistry {
        let authority = try TestCertificates()
        let identity = try authority.issue(commonName: "model-registry")
        let folder = NSTemporaryDirectory() + "registry-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let configPath = folder + "/config.json"
        let config = """
            {"listen": {"host": "127.0.0.1"},
             "tls": {"certificate": "\(identity.certificatePath)", "key": "\(identity.keyPath)",
                     "ca": "\(authority.authorityPath)"},
             "database": {"maxConnections": 8},
             "logLevel": "info"\(policy.map { ", \"policy\": \($0)" } ?? "")}
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let settings = database.configuration
        let environment = [
            "POSTGRES_HOST": settings.host, "POSTGRES_PORT": String(settings.port), "POSTGRES_USER": settings.user,
            "MLOPS_DB_NAME": settings.database, "POSTGRES_SSLMODE": "disable",
        ]
        var replicas: [Replica] = []
        for _ in 0..<count {
            let (port, metricsPort) = (try FreeTCPPort.find(), try FreeTCPPort.find())
            let process = try ServiceProcess(
                "model-registry",
                ["--config", configPath, "--port", String(port), "--metrics-port", String(metricsPort)],
                environment: environment
            )
            replicas.append(Replica(process: process, port: port, metricsPort: metricsPort))
        }
        let registry = RunningRegistry(authority: authority, replicas: replicas)
        for index in replicas.indices { try await registry.waitUntilServing(replica: index) }
        return registry
    }

    /// A typed client presenting a certificate for `identity`.
    func client(_ identity: String = "admin", replica: Int = 0) throws -> ModelRegistryClient {
        ModelRegistryClient(try rpcClient(identity, replica: replica))
    }

    /// The certificate and key presented as `identity`.
    func identityFiles(_ identity: String) throws -> TestCertificates.Issued {
        try identities.issued(identity, by: authority)
    }

    func rpcClient(_ identity: String, replica: Int = 0) throws -> RPCClient {
        let issued = try identities.issued(identity, by: authority)
        let tls = TLSConfiguration.client(
            serverName: "127.0.0.1",
            trustRootsPath: authority.authorityPath,
            certificateChainPath: issued.certificatePath,
            privateKeyPath: issued.keyPath
        )
        var configuration = RPCClientConfiguration(host: "127.0.0.1", port: replicas[replica].port, tls: tls)
        configuration.reconnectBackoff = (.milliseconds(20), .milliseconds(200))
        return try RPCClient(configuration: configuration)
    }

    private func waitUntilServing(replica index: Int) async throws {
        let health = HealthClient(try rpcClient("admin", replica: index))
        defer { Task { [rpc = health.rpc] in await rpc.close() } }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let exited = await replicas[index].process.exitStatus(waitingUpTo: .zero) {
                Issue.record("model-registry exited with \(exited):\n\(replicas[index].process.log)")
                throw CancellationError()
            }
            if let response = try? await health.check(HealthCheckRequest(service: "mlops.v1.ModelRegistry")),
                response.status == .serving
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("model-registry did not start serving:\n\(replicas[index].process.log)")
        throw CancellationError()
    }

    /// SIGTERM to each replica: each must drain and exit with status 0.
    func stop() async {
        for replica in replicas { replica.process.signal(SIGTERM) }
        for replica in replicas {
            let status = await replica.process.exitStatus(waitingUpTo: .seconds(20))
            #expect(status == 0, "model-registry did not stop cleanly:\n\(replica.process.log)")
        }
    }
}

/// Runs the suite against freshly started registry replicas.
struct RunningRegistryTrait: SuiteTrait, TestScoping {
    var replicas = 1
    var policy: String?

    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let database = try #require(TestDatabase.current, "list .temporaryPostgres before .runningRegistry")
        let registry = try await RunningRegistry.start(count: replicas, database: database, policy: policy)
        do {
            try await RunningRegistry.$current.withValue(registry) { try await function() }
        } catch {
            await registry.stop()
            throw error
        }
        await registry.stop()
    }
}

extension Trait where Self == RunningRegistryTrait {
    static func runningRegistry(replicas: Int = 1, policy: String? = nil) -> Self {
        RunningRegistryTrait(replicas: replicas, policy: policy)
    }
}

/// The status code of a failed call, for `#expect`.
func statusCode(of body: () async throws -> Void) async -> StatusCode? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        return .unknown
    }
}

/// The error of a call that must fail.
func rpcError(_ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? RPCError
    }
}

/// Certificates issued once per identity: tests running in parallel share them.
private final class IssuedIdentities: @unchecked Sendable {
    private let lock = NSLock()
    private var issued: [String: TestCertificates.Issued] = [:]

    func issued(_ identity: String, by authority: TestCertificates) throws -> TestCertificates.Issued {
        try lock.withLock {
            if let known = issued[identity] { return known }
            let new = try authority.issue(commonName: identity)
            issued[identity] = new
            return new
        }
    }
}
