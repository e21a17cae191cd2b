public import NIOCore

/// TLS inside a NIO pipeline, driven by OpenSSL through memory BIOs: bytes
/// below are ciphertext, bytes above are plaintext. Writes are held until
/// flush and encrypted together, so many small frames share records and a
/// single socket write. Shaped like swift-nio-ssl's `NIOSSLHandler`.
public final class TLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        case idle
        case handshaking
        case active
        case closing
        case closed
    }

    private var state = State.idle
    private let connection: TLSConnection
    private let handshakeTimeout: TimeAmount
    private var handshakeTimer: Scheduled<Void>?
    private var pendingPlaintext: ByteBuffer?
    private var pendingPromise: EventLoopPromise<Void>?
    private var deliveredData = false

    public init(context: TLSContext) throws(TLSError) {
        connection = try TLSConnection(context: context)
        handshakeTimeout = TimeAmount(context.configuration.handshakeTimeout)
    }

    // MARK: Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startHandshake(context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        startHandshake(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        let wasHandshaking = state == .handshaking
        state = .closed
        handshakeTimer?.cancel()
        failPendingWrites(TLSError(kind: .connectionFailed, detail: "connection closed"))
        if wasHandshaking {
            context.fireErrorCaught(
                TLSError(kind: .handshakeFailed, detail: "the peer closed the connection during the handshake")
            )
        }
        context.fireChannelInactive()
    }

    private func startHandshake(context: ChannelHandlerContext) {
        guard state == .idle else { return }
        state = .handshaking
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        handshakeTimer = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            let (handler, context) = loopBound.value
            guard handler.state == .handshaking else { return }
            handler.fail(
                context: context,
                TLSError(kind: .handshakeTimeout, detail: "no handshake within \(handler.handshakeTimeout)")
            )
        }
        advanceHandshake(context: context)
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var ciphertext = unwrapInboundIn(data)
        guard state != .closed else { return }
        connection.receive(&ciphertext)
        switch state {
        case .handshaking: advanceHandshake(context: context)
        case .active, .closing: readPlaintext(context: context)
        case .idle, .closed: break
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if deliveredData {
            deliveredData = false
            context.fireChannelReadComplete()
        }
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        switch connection.handshake() {
        case .complete:
            state = .active
            handshakeTimer?.cancel()
            writeOutbound(context: context, flush: true)
            let established = TLSEstablished(
                peer: connection.peerCertificate.map(CertificateSubject.init),
                applicationProtocol: connection.applicationProtocol,
                protocolVersion: connection.protocolVersion
            )
            context.fireUserInboundEventTriggered(established)
            if pendingPlaintext != nil { encryptPending(context: context) }
            // Application data may have come in the same read as the handshake's end.
            readPlaintext(context: context)
        case .wantsMoreInput:
            writeOutbound(context: context, flush: true)
        case .closedByPeer:
            fail(context: context, TLSError(kind: .handshakeFailed, detail: "the peer closed during the handshake"))
        case .failed(let error):
            // Send the alert OpenSSL queued, so the peer learns why.
            writeOutbound(context: context, flush: true)
            fail(context: context, error)
        }
    }

    private func readPlaintext(context: ChannelHandlerContext) {
        var plaintext = context.channel.allocator.buffer(capacity: min(connection.readableUpperBound, 16_384))
        let outcome = connection.read(into: &plaintext)
        if plaintext.readableBytes > 0 {
            deliveredData = true
            context.fireChannelRead(wrapInboundOut(plaintext))
        }
        switch outcome {
        case .complete, .wantsMoreInput:
            // Reading can produce records to send (key updates, alerts).
            writeOutbound(context: context, flush: true)
        case .closedByPeer:
            // close_notify: answer with ours, then close.
            context.fireUserInboundEventTriggered(TLSClosedByPeer())
            connection.shutdown()
            writeOutbound(context: context, flush: true)
            state = .closed
            context.close(promise: nil)
        case .failed(let error):
            writeOutbound(context: context, flush: true)
            fail(context: context, error)
        }
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard state != .closed, state != .closing else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let buffer = unwrapOutboundIn(data)
        if pendingPlaintext == nil {
            pendingPlaintext = buffer
        } else {
            pendingPlaintext!.writeImmutableBuffer(buffer)
        }
        if let promise {
            if let pendingPromise {
                pendingPromise.futureResult.cascade(to: promise)
            } else {
                pendingPromise = promise
            }
        }
    }

    public func flush(context: ChannelHandlerContext) {
        // Before the handshake ends, writes wait; it encrypts them when done.
        if state == .active { encryptPending(context: context) }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch state {
        case .active:
            state = .closing
            encryptPending(context: context)
            connection.shutdown()
            let sent = context.eventLoop.makePromise(of: Void.self)
            writeOutbound(context: context, flush: true, promise: sent)
            // Close once close_notify is on its way, whatever the write's fate.
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            sent.futureResult.whenComplete { _ in
                loopBound.value.close(mode: .all, promise: promise)
            }
        case .idle, .handshaking, .closing, .closed:
            state = .closed
            failPendingWrites(ChannelError.ioOnClosedChannel)
            context.close(mode: mode, promise: promise)
        }
    }

    private func encryptPending(context: ChannelHandlerContext) {
        guard let plaintext = pendingPlaintext else { return }
        pendingPlaintext = nil
        let promise = pendingPromise
        pendingPromise = nil
        switch connection.write(plaintext) {
        case .complete, .wantsMoreInput:
            writeOutbound(context: context, flush: true, promise: promise)
        case .closedByPeer:
            promise?.fail(ChannelError.ioOnClosedChannel)
        case .failed(let error):
            promise?.fail(error)
            fail(context: context, error)
        }
    }

    /// Sends whatever ciphertext OpenSSL has produced.
    private func writeOutbound(context: ChannelHandlerContext, flush: Bool, promise: EventLoopPromise<Void>? = nil) {
        if let ciphertext = connection.takeOutbound(allocator: context.channel.allocator) {
            context.write(wrapOutboundOut(ciphertext), promise: promise)
            if flush { context.flush() }
        } else {
            promise?.succeed()
        }
    }

    private func failPendingWrites(_ error: any Error) {
        pendingPlaintext = nil
        let promise = pendingPromise
        pendingPromise = nil
        promise?.fail(error)
    }

    private func fail(context: ChannelHandlerContext, _ error: TLSError) {
        guard state != .closed else { return }
        state = .closed
        handshakeTimer?.cancel()
        failPendingWrites(error)
        context.fireErrorCaught(error)
        // Close only our side first: closing outright with the peer's bytes
        // unread makes the kernel send a reset, which can overtake the alert
        // that tells the peer why. The peer's close, or a second, ends it.
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.close(mode: .output).whenComplete { _ in
            loopBound.value.eventLoop.scheduleTask(in: .seconds(1)) {
                loopBound.value.close(promise: nil)
            }
        }
    }
}

@available(*, unavailable)
extension TLSHandler: Sendable {}
