import MLOpsMessages
import MLOpsRPC
import MLOpsTLS
import NIOConcurrencyHelpers
import NIOCore

/// The client's end of one connection, on its event loop: numbers streams,
/// writes requests in batches, routes responses to their callers, and fails
/// every open call when the connection ends.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct OpenStream {
        let method: String
        let consumer: ResponseConsumer
        var deadlineTimer: Scheduled<Void>?
        var message: ByteBuffer?
    }

    private let address: String
    private let ready: EventLoopPromise<Void>
    private var reader: FrameReader
    /// False once the connection is going away: new calls need another one.
    let acceptsCalls: NIOLockedValueBox<Bool>
    private var context: ChannelHandlerContext?
    private var streams: [UInt32: OpenStream] = [:]
    private var nextStreamID: UInt32 = 1
    private var goneAway = false
    private var failure: (any Error)?

    init(address: String, ready: EventLoopPromise<Void>, maximumFrameSize: Int) {
        self.address = address
        self.ready = ready
        reader = FrameReader(maximumPayloadSize: maximumFrameSize)
        acceptsCalls = NIOLockedValueBox(true)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // A channel that never became active (connection refused) gets no
        // channelInactive: its waiter learns here.
        ready.fail(connectionLost)
        self.context = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let established = event as? TLSEstablished {
            if established.applicationProtocol == TLSConfiguration.rpcProtocol {
                ready.succeed()
            } else {
                let error = TLSError(
                    kind: .noApplicationProtocol,
                    detail: "the server chose \(established.applicationProtocol ?? "no protocol") over ALPN"
                )
                ready.fail(error)
                failure = error
                context.close(promise: nil)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failure = failure ?? error
        ready.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        acceptsCalls.withLockedValue { $0 = false }
        let error = connectionLost
        ready.fail(error)
        let open = streams
        streams.removeAll()
        for (_, stream) in open {
            stream.deadlineTimer?.cancel()
            stream.consumer.fail(error)
        }
        self.context = nil
        context.fireChannelInactive()
    }

    /// Takes no new calls; closes once those open are answered.
    private func stopAcceptingCalls() {
        goneAway = true
        acceptsCalls.withLockedValue { $0 = false }
        if streams.isEmpty { context?.close(promise: nil) }
    }

    /// What a call the server never took fails with.
    private var goingAway: RPCError {
        RPCError(code: .unavailable, message: "\(address): the server is going away")
    }

    /// What calls on a dead connection fail with: UNAVAILABLE, and why.
    private var connectionLost: RPCError {
        let reason = failure.map { "\($0)" } ?? "the connection closed"
        return RPCError(code: .unavailable, message: "\(address): \(reason)", cause: failure)
    }

    // MARK: Outbound

    func write(_ items: [ClientOutboundItem]) {
        guard let context else {
            for case .start(let start) in items { start.consumer.failNotSent(connectionLost) }
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 256)
        for item in items {
            switch item {
            case .start(let start):
                self.start(start, into: &buffer, context: context)
            case .cancel(let handle):
                guard let streamID = handle.streamID, let stream = streams.removeValue(forKey: streamID) else {
                    continue
                }
                stream.deadlineTimer?.cancel()
                buffer.writeFrame(kind: .cancel, streamID: streamID)
                stream.consumer.fail(RPCError(code: .cancelled, message: "\(stream.method): cancelled by the caller"))
            case .drain:
                stopAcceptingCalls()
            }
        }
        if buffer.readableBytes > 0 {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
    }

    private func start(_ start: ClientCallStart, into buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        guard !goneAway else { return start.consumer.failNotSent(goingAway) }
        guard !start.handle.isCancelled else {
            start.consumer.fail(RPCError(code: .cancelled, message: "\(start.method): cancelled by the caller"))
            return
        }
        let streamID = nextStreamID
        nextStreamID &+= 1
        start.handle.streamID = streamID
        var stream = OpenStream(method: start.method, consumer: start.consumer)
        if let timeout = start.timeout {
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            stream.deadlineTimer = context.eventLoop.scheduleTask(in: .microseconds(timeout.microseconds)) {
                loopBound.value.deadlinePassed(streamID: streamID, timeout: timeout)
            }
        }
        streams[streamID] = stream
        buffer.writeFrame(kind: .request, streamID: streamID) { $0.writeBytes(start.payload) }
    }

    private func deadlinePassed(streamID: UInt32, timeout: Duration) {
        guard let stream = streams.removeValue(forKey: streamID), let context else { return }
        sendCancel(streamID, context: context)
        stream.consumer.fail(
            RPCError(code: .deadlineExceeded, message: "\(stream.method): no answer within \(timeout)")
        )
    }

    /// Tells the server this side gave up on a stream.
    private func sendCancel(_ streamID: UInt32, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: Frame.headerSize)
        buffer.writeFrame(kind: .cancel, streamID: streamID)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reader.append(unwrapInboundIn(data))
        do {
            while let inbound = try reader.next() { receive(inbound, context: context) }
        } catch {
            errorCaught(context: context, error: error)
        }
    }

    private func receive(_ inbound: InboundFrame, context: ChannelHandlerContext) {
        switch inbound {
        case .frame(let frame):
            handle(frame, context: context)
        case .oversized(.message, let streamID, let length):
            guard let stream = streams.removeValue(forKey: streamID) else { return }
            stream.deadlineTimer?.cancel()
            sendCancel(streamID, context: context)
            stream.consumer.fail(
                RPCError(
                    code: .resourceExhausted,
                    message: "\(stream.method): a response of \(length) bytes exceeds the limit"
                )
            )
        case .oversized(let kind, _, let length):
            errorCaught(
                context: context,
                error: FrameProtocolError(message: "a \(kind) frame of \(length) bytes exceeds the limit")
            )
        }
    }

    private func handle(_ frame: Frame, context: ChannelHandlerContext) {
        switch frame.kind {
        case .message:
            guard var stream = streams[frame.streamID] else { return }
            switch stream.consumer {
            case .unary:
                stream.message = frame.payload
                streams[frame.streamID] = stream
            case .streaming(let continuation):
                continuation.yield(frame.payload)
            }
        case .status:
            guard let stream = streams.removeValue(forKey: frame.streamID) else { return }
            stream.deadlineTimer?.cancel()
            complete(stream, status: frame.payload)
        case .goAway:
            let goAway = try? GoAway(buffer: frame.payload)
            let last = goAway?.lastStreamId ?? 0
            // Streams above the last the server took were never acted on.
            let refused = streams.keys.filter { $0 > last }
            for streamID in refused {
                let stream = streams.removeValue(forKey: streamID)!
                stream.deadlineTimer?.cancel()
                stream.consumer.failNotSent(goingAway)
            }
            stopAcceptingCalls()
        case .ping:
            guard !frame.flags.contains(.ack) else { return }
            var buffer = context.channel.allocator.buffer(capacity: Frame.headerSize + 8)
            buffer.writePingAck(for: frame)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        case .request, .cancel:
            errorCaught(
                context: context,
                error: FrameProtocolError(message: "a server may not send \(frame.kind) frames")
            )
        }
        if goneAway, streams.isEmpty { context.close(promise: nil) }
    }

    private func complete(_ stream: OpenStream, status payload: ByteBuffer) {
        let status: Status
        do {
            // No bytes is a plain OK, as most calls end; nothing to decode.
            status = payload.readableBytes == 0 ? Status() : try Status(buffer: payload)
        } catch {
            stream.consumer.fail(
                RPCError(code: .internal, message: "\(stream.method): the status does not decode: \(error)")
            )
            return
        }
        if let error = RPCError(status: status) {
            stream.consumer.fail(error)
            return
        }
        switch stream.consumer {
        case .unary(let continuation):
            if let message = stream.message {
                continuation.resume(returning: message)
            } else {
                continuation.resume(
                    throwing: RPCError(code: .internal, message: "\(stream.method): OK without a response")
                )
            }
        case .streaming(let continuation):
            continuation.finish()
        }
    }
}
