public import Logging
public import MLOpsRPC
import MLOpsTLS
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix
public import ServiceLifecycle

/// Serves an `RPCRouter` over TLS until a graceful shutdown (SIGTERM through
/// a `ServiceGroup`) or cancellation. On shutdown it stops accepting, sends
/// every connection a goodbye, lets in-flight calls finish, and returns.
public final class RPCServer: Service, Sendable {
    private let configuration: RPCServerConfiguration
    private let router: RPCRouter
    private let logger: Logger
    private let group: any EventLoopGroup
    private let listening: EventLoopPromise<SocketAddress>
    private let connections: NIOLockedValueBox<ConnectionAdmission>
    private let refusals: RateLimitedLog

    public init(
        configuration: RPCServerConfiguration,
        router: RPCRouter,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.group = eventLoopGroup
        self.listening = eventLoopGroup.any().makePromise(of: SocketAddress.self)
        self.refusals = RateLimitedLog(logger: logger, message: "refusing a connection")
        self.connections = NIOLockedValueBox(
            ConnectionAdmission(
                limits: .init(
                    connections: configuration.maximumConnections,
                    handshakes: configuration.maximumHandshakes,
                    handshakesPerAddress: configuration.maximumHandshakesPerAddress
                )
            )
        )
    }

    deinit {
        // A server that never ran must not leave its promise dangling.
        listening.fail(CancellationError())
    }

    /// The address the server listens on, once it does.
    public var listeningAddress: SocketAddress {
        get async throws { try await listening.futureResult.get() }
    }

    public func run() async throws {
        let tls: TLSContext
        let server: NIOAsyncChannel<AdmittedConnection?, Never>
        do {
            tls = try TLSContext(configuration: configuration.tls)
            server = try await bind(tls: tls)
        } catch {
            listening.fail(error)
            throw error
        }
        let address = server.channel.localAddress!
        listening.succeed(address)
        logger.info("listening", metadata: ["address": "\(address)"])

        // Cancellation ends the server the same orderly way a SIGTERM does.
        do {
            try await serve(server)
        } catch is CancellationError {
            // An orderly end, like a graceful shutdown.
        }
        // The port is free for a successor once run() returns.
        server.channel.close(promise: nil)
        try? await server.channel.closeFuture.get()
        logger.info("stopped")
    }

    private func serve(_ server: NIOAsyncChannel<AdmittedConnection?, Never>) async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await server.executeThenClose { accepted in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await case let admitted? in accepted {
                        group.addTask {
                            await admitted.connection.serve()
                            if self.connections.withLockedValue({ $0.remove(admitted.id) }) {
                                // A channel's buffers go a moment after it ends; so do its neighbours'.
                                try? await Task.sleep(for: .seconds(1))
                                FreedMemory.release()
                            }
                        }
                    }
                }
            }
        } onCancelOrGracefulShutdown: {
            self.logger.info("shutting down: finishing in-flight calls")
            server.channel.close(promise: nil)
            for connection in self.connections.withLockedValue({ $0.beginShutdown() }) {
                connection.initiateGracefulShutdown()
            }
        }
    }

    private func bind(tls: TLSContext) async throws -> NIOAsyncChannel<AdmittedConnection?, Never> {
        let setUp = ConnectionSetUp(
            tls: tls,
            router: router,
            configuration: configuration,
            admission: connections,
            refusals: refusals,
            logger: logger
        )
        let logger = self.logger
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptErrorHandler(logger: logger))
                }
            }
            .bind(host: configuration.host, port: configuration.port) { channel in
                // Never fails: a failed child initialiser would end the whole accept loop.
                channel.eventLoop.makeSucceededFuture(setUp.admit(channel))
            }
    }
}

/// An accepted connection; `serve()` lasts as long as it and its calls do.
struct ServerConnection: Sendable {
    let channel: any Channel
    let calls: ServerCallTasks
    let protocolSelection: NIOLoopBound<ApplicationProtocolSelection>
    let activity: ConnectionActivity

    /// Returns once the connection has closed and its calls have ended.
    /// Cancelled, it closes the connection, which cancels the calls.
    func serve() async {
        await withTaskCancellationHandler {
            await calls.waitUntilDone()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    func initiateGracefulShutdown() {
        let selection = protocolSelection
        channel.eventLoop.execute { selection.value.initiateGracefulShutdown() }
    }
}
