import Logging
import MLOpsMessages
import MLOpsRPC
import MLOpsTLS
import MLOpsTLSTransport
import MLOpsTestSupport
import NIOCore
import ServiceLifecycle
import Testing

/// Methods made for the tests out of existing messages.
enum TestMethods {
    static let echo = RPCMethod<ArtifactChunk, ArtifactChunk>(
        service: "mlops.v1.Testing",
        method: "Echo",
        isServerStreaming: false
    )
    static let count = RPCMethod<GetArtifactRequest, ArtifactChunk>(
        service: "mlops.v1.Testing",
        method: "Count",
        isServerStreaming: true
    )
    static let whoAmI = RPCMethod<HealthCheckRequest, HealthCheckResponse>(
        service: "mlops.v1.Testing",
        method: "WhoAmI",
        isServerStreaming: false
    )
    /// Answers with the call's metadata as the handler saw it, and its request id as the message.
    static let mirrorMetadata = RPCMethod<HealthCheckRequest, Status>(
        service: "mlops.v1.Testing",
        method: "MirrorMetadata",
        isServerStreaming: false
    )
}

/// A server on a free loopback port with certificates from a fresh test CA,
/// run for the length of `body`.
struct LiveServer {
    let port: Int
    let authority: TestCertificates
    let server: RPCServer

    static func run(
        router: RPCRouter,
        configure: (inout RPCServerConfiguration) -> Void = { _ in },
        _ body: (LiveServer) async throws -> Void
    ) async throws {
        let authority = try TestCertificates()
        let server = try makeServer(authority: authority, port: 0, router: router, configure: configure)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try await server.listeningAddress.port!
            try await body(LiveServer(port: port, authority: authority, server: server))
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    /// Runs a server in a `ServiceGroup`, as a service's runtime does, for the
    /// length of `body`, which may trigger the graceful shutdown SIGTERM would;
    /// returns once the server has stopped.
    static func runInServiceGroup(
        router: RPCRouter,
        _ body: (LiveServer, ServiceGroup) async throws -> Void
    ) async throws {
        let authority = try TestCertificates()
        let server = try makeServer(authority: authority, port: 0, router: router)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let group = ServiceGroup(services: [server], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await server.listeningAddress.port!
            try await body(LiveServer(port: port, authority: authority, server: server), group)
            try await tasks.waitForAll()
        }
    }

    /// A server (not yet running) with a `model-registry` certificate from `authority`.
    static func makeServer(
        authority: TestCertificates,
        port: Int,
        router: RPCRouter,
        configure: (inout RPCServerConfiguration) -> Void = { _ in }
    ) throws -> RPCServer {
        let identity = try authority.issue(commonName: "model-registry")
        var configuration = RPCServerConfiguration(
            host: "127.0.0.1",
            port: port,
            tls: .server(
                certificateChainPath: identity.certificatePath,
                privateKeyPath: identity.keyPath,
                trustRootsPath: authority.authorityPath
            )
        )
        configure(&configuration)
        var logger = Logger(label: "test-server")
        logger.logLevel = .critical
        return RPCServer(configuration: configuration, router: router, logger: logger)
    }

    /// Expects the server to answer a new connection's call: whatever a test
    /// did to it, it is still serving.
    func expectHealthy() async throws {
        let client = try client()
        let request = ArtifactChunk(contentType: "still here")
        #expect(try await client.unary(TestMethods.echo, request) == request)
        await client.close()
    }

    /// A client presenting a certificate for `identity` from this server's CA.
    /// With `applicationProtocols`, it offers those over ALPN instead of ours.
    func client(
        identity: String? = "retraining-gate",
        serverName: String = "127.0.0.1",
        applicationProtocols: [String]? = nil
    ) throws -> RPCClient {
        var tls = TLSConfiguration.client(serverName: serverName, trustRootsPath: authority.authorityPath)
        if let applicationProtocols { tls.applicationProtocols = applicationProtocols }
        if let identity {
            let issued = try authority.issue(commonName: identity)
            tls.certificateChainPath = issued.certificatePath
            tls.privateKeyPath = issued.keyPath
        }
        var configuration = RPCClientConfiguration(host: "127.0.0.1", port: port, tls: tls)
        configuration.reconnectBackoff = .init(initial: .milliseconds(10), maximum: .milliseconds(50))
        return try RPCClient(configuration: configuration)
    }
}

extension RPCRouter {
    /// Echo, a counting stream, and mirrors of the caller's identity and metadata.
    static var testing: RPCRouter {
        var router = RPCRouter()
        router.register(TestMethods.echo) { request, _ in request }
        router.register(
            TestMethods.count,
            streaming: { request, writer, _ in
                let count = Int(request.ref) ?? 0
                for index in 0..<count {
                    try await writer.write(ArtifactChunk(contentType: "chunk", totalSize: Int64(index)))
                }
            }
        )
        router.register(TestMethods.whoAmI) { _, context in
            HealthCheckResponse(status: .serving, reason: context.callerIdentity)
        }
        router.register(TestMethods.mirrorMetadata) { _, context in
            Status(message: context.requestID, metadata: context.metadata)
        }
        return router
    }
}

/// A method whose calls wait, once started, until the test lets them go.
struct HeldCalls {
    static let method = RPCMethod<ArtifactChunk, ArtifactChunk>(
        service: "mlops.v1.Testing",
        method: "Held",
        isServerStreaming: false
    )
    private let started = AsyncStream.makeStream(of: Void.self)
    private let release = AsyncStream.makeStream(of: Void.self)

    func register(in router: inout RPCRouter) {
        let (starter, release) = (started.continuation, release.stream)
        router.register(Self.method) { request, _ in
            starter.yield()
            for await _ in release { break }
            return request
        }
    }

    /// Returns once `count` calls have started.
    func waitForStarts(_ count: Int) async {
        var iterator = started.stream.makeAsyncIterator()
        for _ in 0..<count { await iterator.next() }
    }

    /// Lets `count` held calls finish.
    func release(_ count: Int) {
        for _ in 0..<count { release.continuation.yield() }
    }
}
