import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsPostgres
package import MLOpsRPC
import MLOpsTLS
package import MLOpsTLSTransport
package import NIOCore
package import Testing

/// Real service processes (replicas of one executable) serving the suite's
/// database, with certificates from a CA made for the suite; stopped by
/// SIGTERM after the suite, which must make them exit cleanly.
package struct RunningService: Sendable {
    @TaskLocal package static var current: RunningService?

    package let executable: String
    package let rpcService: String
    package let authority: TestCertificates
    package private(set) var replicas: [Replica]
    private let configPath: String
    private let environment: [String: String]
    private let identities: IssuedIdentities

    package struct Replica: Sendable {
        package let process: ServiceProcess
        package let port: Int
        package let metricsPort: Int
    }

    /// Starts `count` replicas of `executable` (serving `rpcService`) over
    /// `database`; `extraSettings` (JSON members) are added to their
    /// configuration file, `listenSettings` to its `listen` object.
    package static func start(
        _ executable: String,
        serving rpcService: String,
        count: Int,
        database: TestDatabase,
        extraSettings: String? = nil,
        listenSettings: String? = nil,
        authority shared: TestCertificates? = nil,
        environment extraEnvironment: [String: String] = [:]
    ) async throws -> RunningService {
        let authority = try shared ?? TestCertificates()
        let identity = try authority.issue(commonName: executable)
        let folder = NSTemporaryDirectory() + "\(executable)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let configPath = folder + "/config.json"
        let config = """
            {"listen": {"host": "127.0.0.1"\(listenSettings.map { ", \($0)" } ?? "")},
             "tls": {"certificate": "\(identity.certificatePath)", "key": "\(identity.keyPath)",
                     "ca": "\(authority.authorityPath)"},
             "database": {"maxConnections": 8},
             "logLevel": "info"\(extraSettings.map { ", \($0)" } ?? "")}
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let environment = database.serviceEnvironment.merging(extraEnvironment) { _, extra in extra }
        var running = RunningService(
            executable: executable,
            rpcService: rpcService,
            authority: authority,
            replicas: [],
            configPath: configPath,
            environment: environment,
            identities: IssuedIdentities.shared(by: authority)
        )
        for index in 0..<count {
            // A free port can be taken by another test's process before ours binds it: try others.
            for attempt in 1...3 {
                let (port, metricsPort) = (try FreeTCPPort.find(), try FreeTCPPort.find())
                let replica = Replica(
                    process: try launch(executable, configPath, port, metricsPort, environment),
                    port: port,
                    metricsPort: metricsPort
                )
                if running.replicas.count > index {
                    running.replicas[index] = replica
                } else {
                    running.replicas.append(replica)
                }
                do {
                    try await running.waitUntilServing(replica: index, portsMayBeTaken: attempt < 3)
                    break
                } catch is PortTaken {
                    continue
                }
            }
        }
        return running
    }

    /// The replica could not bind a port another process took first.
    private struct PortTaken: Error {}

    private static func launch(
        _ executable: String,
        _ configPath: String,
        _ port: Int,
        _ metricsPort: Int,
        _ environment: [String: String]
    ) throws -> ServiceProcess {
        try ServiceProcess(
            executable,
            ["--config", configPath, "--port", String(port), "--metrics-port", String(metricsPort)],
            environment: environment
        )
    }

    /// Kills a replica outright (SIGKILL): no drain, no goodbye.
    package func kill(replica index: Int = 0) async {
        replicas[index].process.signal(SIGKILL)
        _ = await replicas[index].process.exitStatus(waitingUpTo: .seconds(10))
    }

    /// Stops a replica with SIGTERM, expecting a clean exit.
    package func stop(replica index: Int) async {
        replicas[index].process.signal(SIGTERM)
        let status = await replicas[index].process.exitStatus(waitingUpTo: .seconds(20))
        #expect(status == 0, "\(executable) did not stop cleanly:\n\(replicas[index].process.log)")
    }

    /// Starts a stopped replica again on its port, with its configuration
    /// (and `environment` changed as given); returns once it serves.
    package mutating func restart(replica index: Int = 0, environment changes: [String: String?] = [:]) async throws {
        var environment = environment
        for (key, value) in changes { environment[key] = value }
        let replica = replicas[index]
        replicas[index] = Replica(
            process: try Self.launch(executable, configPath, replica.port, replica.metricsPort, environment),
            port: replica.port,
            metricsPort: replica.metricsPort
        )
        try await waitUntilServing(replica: index)
    }

    /// Runs the executable's `--health-check` (and `flags`) with a replica's
    /// configuration (its RPC port, or `port` instead); its exit status and output.
    package func healthCheck(
        replica index: Int = 0,
        port: Int? = nil,
        flags: [String] = []
    ) async throws -> (Int32, String) {
        let replica = replicas[index]
        let process = try ServiceProcess(
            executable,
            ["--config", configPath, "--port", String(port ?? replica.port), "--health-check"] + flags,
            environment: environment
        )
        guard let status = await process.exitStatus(waitingUpTo: .seconds(20)) else {
            Issue.record("\(executable) --health-check did not end:\n\(process.log)")
            throw CancellationError()
        }
        return (status, process.log)
    }

    /// The certificate and key presented as `identity`.
    package func identityFiles(_ identity: String) throws -> TestCertificates.Issued {
        try identities.issued(identity, by: authority)
    }

    /// A client presenting a certificate for `identity`, calling `replica`,
    /// or spreading its calls over every replica when nil; on
    /// `eventLoopGroup` when given (tests that open hundreds keep them off
    /// the shared loops).
    package func rpcClient(
        _ identity: String,
        replica: Int? = 0,
        eventLoopGroup: (any EventLoopGroup)? = nil
    ) throws -> RPCClient {
        let issued = try identities.issued(identity, by: authority)
        let tls = TLSConfiguration.client(
            serverName: "127.0.0.1",
            trustRootsPath: authority.authorityPath,
            certificateChainPath: issued.certificatePath,
            privateKeyPath: issued.keyPath
        )
        var configuration = RPCClientConfiguration(
            targets: (replica.map { [replicas[$0]] } ?? replicas).map { .init(host: "127.0.0.1", port: $0.port) },
            tls: tls
        )
        configuration.reconnectBackoff = .init(initial: .milliseconds(20), maximum: .milliseconds(200))
        guard let eventLoopGroup else { return try RPCClient(configuration: configuration) }
        return try RPCClient(configuration: configuration, eventLoopGroup: eventLoopGroup)
    }

    private func waitUntilServing(replica index: Int, portsMayBeTaken: Bool = false) async throws {
        let health = HealthClient(try rpcClient("admin", replica: index))
        defer { Task { [rpc = health.rpc] in await rpc.close() } }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let exited = await replicas[index].process.exitStatus(waitingUpTo: .zero) {
                let log = replicas[index].process.log
                if portsMayBeTaken && log.contains("Address already in use") { throw PortTaken() }
                Issue.record("\(executable) exited with \(exited):\n\(log)")
                throw CancellationError()
            }
            if let response = try? await health.check(HealthCheckRequest(service: rpcService)),
                response.status == .serving
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(executable) did not start serving:\n\(replicas[index].process.log)")
        throw CancellationError()
    }

    /// SIGTERM to each replica still running: each must drain and exit with status 0.
    package func stop() async {
        let running = replicas.filter { $0.process.isRunning }
        for replica in running { replica.process.signal(SIGTERM) }
        for replica in running {
            let status = await replica.process.exitStatus(waitingUpTo: .seconds(20))
            #expect(status == 0, "\(executable) did not stop cleanly:\n\(replica.process.log)")
        }
    }
}

/// Runs the suite against freshly started replicas of a service.
package struct RunningServiceTrait: SuiteTrait, TestScoping {
    package var executable: String
    package var rpcService: String
    package var replicas = 1
    package var extraSettings: String?

    package init(executable: String, rpcService: String, replicas: Int = 1, extraSettings: String? = nil) {
        self.executable = executable
        self.rpcService = rpcService
        self.replicas = replicas
        self.extraSettings = extraSettings
    }

    package func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let database = try #require(TestDatabase.current, "list .temporaryPostgres before the running service")
        let running = try await RunningService.start(
            executable,
            serving: rpcService,
            count: replicas,
            database: database,
            extraSettings: extraSettings
        )
        try await stopping(running.stop) {
            try await RunningService.$current.withValue(running) { try await function() }
        }
    }
}

/// The status code of a failed call, for `#expect`.
package func statusCode(of body: () async throws -> Void) async -> StatusCode? {
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
package func rpcError(_ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? RPCError
    }
}

/// Certificates issued once per identity and authority: tests running in
/// parallel, and services sharing an authority, share them.
private final class IssuedIdentities: @unchecked Sendable {
    private let lock = NSLock()
    private var issued: [String: TestCertificates.Issued] = [:]
    private static let lock = NSLock()
    nonisolated(unsafe) private static var byAuthority: [String: IssuedIdentities] = [:]

    static func shared(by authority: TestCertificates) -> IssuedIdentities {
        lock.withLock {
            if let known = byAuthority[authority.authorityPath] { return known }
            let new = IssuedIdentities()
            byAuthority[authority.authorityPath] = new
            return new
        }
    }

    func issued(_ identity: String, by authority: TestCertificates) throws -> TestCertificates.Issued {
        try lock.withLock {
            if let known = issued[identity] { return known }
            let new = try authority.issue(commonName: identity)
            issued[identity] = new
            return new
        }
    }
}
