import Logging
import MLOpsRPC
import MLOpsTLS
import NIOCore
import NIOHTTP2

/// Chooses what speaks on a connection once its TLS handshake has agreed a
/// protocol by ALPN: our framing for `mlops-rpc/1`, gRPC over HTTP/2 for
/// `h2`. It installs that protocol's handlers after itself, then stays to
/// pass a graceful shutdown on to them.
final class ApplicationProtocolSelection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum Selected {
        case none
        case framing(ServerConnectionHandler)
        case grpc
    }

    private let router: RPCRouter
    private let configuration: RPCServerConfiguration
    private let calls: ServerCallTasks
    private let activity: ConnectionActivity
    private let logger: Logger
    private var selected = Selected.none
    private var context: ChannelHandlerContext?

    init(
        router: RPCRouter,
        configuration: RPCServerConfiguration,
        calls: ServerCallTasks,
        activity: ConnectionActivity,
        logger: Logger
    ) {
        self.router = router
        self.configuration = configuration
        self.calls = calls
        self.activity = activity
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        context.fireChannelInactive()
        // Whatever spoke (or nothing, when the handshake failed), no more calls come.
        calls.finish()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard case .none = selected else {
            context.fireErrorCaught(error)
            return
        }
        // Before a protocol was chosen: the handshake failed.
        logger.info("TLS failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let established = event as? TLSEstablished, case .none = selected {
            do {
                try select(established, context: context)
            } catch {
                logger.warning("could not set up a connection's protocol", metadata: ["error": "\(error)"])
                context.close(promise: nil)
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func select(_ established: TLSEstablished, context: ChannelHandlerContext) throws {
        let peer = established.peer.map {
            PeerIdentity(commonName: $0.commonName, alternativeNames: $0.alternativeNames)
        }
        switch established.applicationProtocol {
        case TLSConfiguration.rpcProtocol?:
            let handler = ServerConnectionHandler(
                router: router,
                configuration: configuration,
                calls: calls,
                activity: activity,
                peer: peer,
                logger: logger
            )
            try context.pipeline.syncOperations.addHandler(handler, position: .after(self))
            selected = .framing(handler)
        case TLSConfiguration.http2Protocol?:
            let environment = GRPCConnectionEnvironment(
                router: router,
                configuration: configuration,
                peer: peer,
                calls: calls,
                activity: activity,
                logger: logger,
                connectionTag: ServerCallContext.newConnectionTag(),
                requestBudget: NIOLoopBound(
                    GRPCRequestBudget(limit: 4 * configuration.maximumFrameSize),
                    eventLoop: context.eventLoop
                )
            )
            try GRPCServerPipeline.configure(after: self, in: context.pipeline, environment: environment)
            selected = .grpc
        default:
            // A TLS client that asked for neither protocol cannot speak either.
            let offered = established.applicationProtocol ?? "none"
            logger.info("closing a connection with an unknown ALPN protocol", metadata: ["protocol": "\(offered)"])
            context.close(promise: nil)
            return
        }
        activity.markEstablished()
    }

    /// Refuses new calls, tells the client, and closes once in-flight calls end;
    /// a connection still in its handshake just closes.
    func initiateGracefulShutdown() {
        guard let context else { return }
        switch selected {
        case .none:
            context.close(promise: nil)
        case .framing(let handler):
            handler.initiateGracefulShutdown()
        case .grpc:
            // NIOHTTP2's connection manager: GOAWAY, a PING, the final GOAWAY, then close when drained.
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }
}
