import Logging
import MLOpsRPC
import NIOCore

/// Sits first on the listening channel and keeps its errors (an `accept`
/// failing with EMFILE when a flood has used every descriptor, say) from
/// reaching the accept loop, which would end the server. NIO keeps accepting
/// once descriptors free up; the error is logged at most once a second.
final class AcceptErrorHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Any

    private let log: RateLimitedLog

    init(logger: Logger) {
        log = RateLimitedLog(logger: logger, message: "accepting a connection failed")
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        log.warning(metadata: ["error": "\(error)"])
    }
}
