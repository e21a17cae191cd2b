import NIOCore

/// Makes the flushes of one event-loop tick one flush: every call that ends
/// flushes its HTTP/2 stream, and on a busy connection many end together;
/// one flush means one TLS record and one write for all of them.
final class FlushCoalescing: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer

    private var flushScheduled = false

    func flush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        // Runs after the work already queued on the loop: the other calls' ends.
        context.eventLoop.execute {
            let (handler, context) = loopBound.value
            handler.flushScheduled = false
            context.flush()
        }
    }
}
