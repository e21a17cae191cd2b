import Logging
import NIOCore
import NIOHTTP2

/// The end of a gRPC connection's pipeline: a connection error (bytes that
/// are not HTTP/2, a broken rule of the protocol, a TLS failure) closes the
/// connection, after NIOHTTP2 has sent its GOAWAY, and is logged. The server
/// and its other connections go on. An error about a stream that is gone is
/// that stream's end only: an answer written as the client's reset of its
/// stream arrived fails just that write (NIOHTTP2 reports it here too), and
/// a peer's frames on a closed stream NIOHTTP2 has already answered itself.
final class GRPCConnectionErrorHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Connection-level frames (SETTINGS, PING, GOAWAY) were handled by NIOHTTP2.
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOHTTP2Errors.NoSuchStream || error is NIOHTTP2Errors.StreamClosed {
            logger.debug("a gRPC stream was gone", metadata: ["error": "\(GRPCStatusMessage.loggable(error))"])
            return
        }
        logger.notice(
            "closing a gRPC connection after an error",
            metadata: ["error": "\(GRPCStatusMessage.loggable(error))"]
        )
        context.close(promise: nil)
    }
}
