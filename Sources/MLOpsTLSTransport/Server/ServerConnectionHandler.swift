import Logging
import MLOpsMessages
import MLOpsRPC
import MLOpsTLS
import NIOCore

/// The server's end of one connection in our framing, on its event loop
/// (installed once ALPN chose `mlops-rpc/1`): accepts calls and
/// starts each as a task of its own (`ServerCallTasks`), enforces limits,
/// deadlines and the idle timeout, writes responses in batches, and says
/// goodbye on shutdown.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct ActiveCall {
        let call: ServerCall
        var deadlineTimer: Scheduled<Void>?
        var pacing = StreamPacing()
    }

    private let router: RPCRouter
    private let configuration: RPCServerConfiguration
    private let calls: ServerCallTasks
    private let logger: Logger
    private var reader: FrameReader
    private var outbox: BatchingOutbox<ServerOutboundItem>?
    private let writability = WritabilityGate()
    private var context: ChannelHandlerContext?
    private var active: [UInt32: ActiveCall] = [:] {
        didSet { activity.setCallsInFlight(active.count) }
    }
    private let activity: ConnectionActivity
    private let peer: PeerIdentity?
    private var goingAway = false
    private var highestStreamID: UInt32 = 0
    private var idleTimer: Scheduled<Void>?
    /// The last frame in or call ended: a connection with no call in flight
    /// closes `idleTimeout` after it. A timestamp rather than a timer re-armed
    /// per frame, which cost more than the rest of a call's bookkeeping.
    private var lastActivity = NIODeadline.now()
    /// Prefix of the request ids this connection makes up.
    private let connectionTag = ServerCallContext.newConnectionTag()

    init(
        router: RPCRouter,
        configuration: RPCServerConfiguration,
        calls: ServerCallTasks,
        activity: ConnectionActivity,
        peer: PeerIdentity?,
        logger: Logger
    ) {
        self.router = router
        self.configuration = configuration
        self.calls = calls
        self.activity = activity
        self.peer = peer
        self.logger = logger
        reader = FrameReader(maximumPayloadSize: configuration.maximumFrameSize)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        outbox = BatchingOutbox(eventLoop: context.eventLoop) { items in loopBound.value.write(items) }
        scheduleIdleCheck(at: lastActivity + TimeAmount(configuration.idleTimeout))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        // The outbox's drain refers back to this handler: let the pair go.
        outbox = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        for (_, entry) in active {
            entry.deadlineTimer?.cancel()
            entry.call.cancel()
        }
        active.removeAll()
        idleTimer?.cancel()
        calls.finish()
        // Writers waiting for room go on, find their calls cancelled, and end.
        writability.setOpen(true)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writability.setOpen(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let error as FrameProtocolError:
            logger.notice("closing connection after a protocol error", metadata: ["error": "\(error)"])
            sendGoAway(reason: "protocol error: \(error)")
        case let error as TLSError:
            logger.info("TLS failed", metadata: ["error": "\(error)"])
        default:
            logger.info("connection failed", metadata: ["error": "\(error)"])
        }
        context.close(promise: nil)
    }

    // MARK: Frames

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
            handle(frame)
        case .oversized(.request, let streamID, let length):
            writeStatus(
                streamID,
                RPCError(
                    code: .resourceExhausted,
                    message: "a request of \(length) bytes exceeds the \(configuration.maximumFrameSize)-byte limit"
                ).status
            )
        case .oversized(let kind, _, let length):
            errorCaught(
                context: context,
                error: FrameProtocolError(message: "a \(kind) frame of \(length) bytes exceeds the limit")
            )
        }
    }

    private func handle(_ frame: Frame) {
        lastActivity = .now()
        switch frame.kind {
        case .request:
            accept(frame)
        case .cancel:
            if let entry = active.removeValue(forKey: frame.streamID) {
                entry.deadlineTimer?.cancel()
                entry.call.cancel()
                afterCallEnded()
            }
        case .ping:
            guard !frame.flags.contains(.ack), let context else { return }
            var buffer = context.channel.allocator.buffer(capacity: Frame.headerSize + 8)
            buffer.writePingAck(for: frame)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        case .goAway:
            goingAway = true
            closeIfDrained()
        case .message, .status:
            if let context {
                errorCaught(
                    context: context,
                    error: FrameProtocolError(message: "a client may not send \(frame.kind) frames")
                )
            }
        }
    }

    private func accept(_ frame: Frame) {
        let streamID = frame.streamID
        guard streamID != 0, active[streamID] == nil else {
            let problem =
                streamID == 0
                ? "stream 0 is the connection's own: a call needs a stream id of 1 or more"
                : "stream \(streamID) is already in use"
            if let context { errorCaught(context: context, error: FrameProtocolError(message: problem)) }
            return
        }
        guard !goingAway else {
            writeStatus(streamID, RPCError(code: .unavailable, message: "the server is shutting down").status)
            return
        }
        let header: RequestHeader
        let request: ByteBuffer
        do {
            (header, request) = try RequestFrame.read(frame.payload)
        } catch {
            writeStatus(streamID, error.status)
            return
        }
        guard let handler = router.handlers[header.method] else {
            writeStatus(streamID, RPCError.unknownMethod(header.method).status)
            return
        }
        guard header.timeoutMicros >= 0 else {
            writeStatus(streamID, RPCError.deadlinePassedBeforeStart(header.method).status)
            return
        }
        guard active.count < configuration.maximumConcurrentCallsPerConnection else {
            let limit = configuration.maximumConcurrentCallsPerConnection
            let message = "more than \(limit) calls in flight on one connection"
            writeStatus(streamID, RPCError(code: .resourceExhausted, message: message).status)
            return
        }
        guard let outbox, let context else { return }

        var deadline: ContinuousClock.Instant?
        if header.timeoutMicros > 0 {
            deadline = .now + .microseconds(header.timeoutMicros)
        }
        let callContext = ServerCallContext(
            method: header.method,
            peer: peer,
            metadata: header.metadata,
            deadline: deadline,
            connectionTag: connectionTag,
            streamID: streamID
        )
        let sink = ResponseSink(
            writer: FrameResponseWriter(streamID: streamID, outbox: outbox, writability: writability),
            maximumFrameSize: configuration.maximumFrameSize,
            method: header.method
        )
        let call = ServerCall(
            streamID: streamID,
            context: callContext,
            handler: handler,
            request: request,
            sink: sink,
            logger: logger
        )

        var entry = ActiveCall(call: call)
        if header.timeoutMicros > 0 {
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let timeout = header.timeoutMicros
            entry.deadlineTimer = context.eventLoop.scheduleTask(in: .microseconds(timeout)) {
                loopBound.value.deadlinePassed(streamID: streamID, timeoutMicros: timeout)
            }
        }
        active[streamID] = entry
        highestStreamID = max(highestStreamID, streamID)
        calls.start(call)
    }

    private func deadlinePassed(streamID: UInt32, timeoutMicros: Int64) {
        guard let entry = active.removeValue(forKey: streamID) else { return }
        entry.call.cancel()
        let timeout = Duration.microseconds(timeoutMicros)
        writeStatus(streamID, RPCError.deadlineExceeded(entry.call.context.method, after: timeout).status)
        afterCallEnded()
    }

    // MARK: Writing

    /// Writes a batch from the outbox; answers of calls no longer active
    /// (cancelled, past their deadline) are dropped.
    private func write(_ items: [ServerOutboundItem]) {
        guard let context else {
            // The connection is gone: let paced writers go on to find out.
            for case .message(_, _, let written?) in items { written.resume(returning: false) }
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 256)
        var ended = false
        var pausingOnceWritten: [CheckedContinuation<Bool, Never>] = []
        for item in items {
            switch item {
            case .message(let streamID, let bytes, let written):
                guard active[streamID] != nil else {
                    written?.resume(returning: false)
                    continue
                }
                buffer.writeFrame(kind: .message, streamID: streamID) { $0.writeBytes(bytes) }
                guard let written else { continue }
                if active[streamID]!.pacing.pauseDue() {
                    pausingOnceWritten.append(written)
                } else {
                    written.resume(returning: false)
                }
            case .status(let streamID, let status):
                guard let entry = active.removeValue(forKey: streamID) else { continue }
                entry.deadlineTimer?.cancel()
                Self.appendStatus(status, streamID: streamID, to: &buffer)
                ended = true
            }
        }
        if buffer.readableBytes > 0 {
            let promise = pausingOnceWritten.isEmpty ? nil : context.eventLoop.makePromise(of: Void.self)
            promise?.futureResult.whenComplete { _ in
                for written in pausingOnceWritten { written.resume(returning: true) }
            }
            context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
        }
        if ended { afterCallEnded() }
    }

    /// A status for a stream that has no call (refused) or whose call was removed.
    private func writeStatus(_ streamID: UInt32, _ status: Status) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        Self.appendStatus(status, streamID: streamID, to: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private static func appendStatus(_ status: Status, streamID: UInt32, to buffer: inout ByteBuffer) {
        guard status.code != StatusCode.ok.rawValue || !status.message.isEmpty || !status.metadata.isEmpty else {
            // A plain OK is a message with every field at its default: no bytes.
            buffer.writeFrame(kind: .status, streamID: streamID)
            return
        }
        // A status always encodes: its strings come from our own code and handlers'
        // errors, and a NUL among them is replaced rather than lost.
        let bytes =
            (try? status.serializedBytes())
            ?? (try? Status(code: status.code, message: status.message.replacingNUL).serializedBytes()) ?? []
        buffer.writeFrame(kind: .status, streamID: streamID) { $0.writeBytes(bytes) }
    }

    // MARK: Shutdown and idleness

    /// Refuses new calls, tells the client, and closes once in-flight calls end.
    func initiateGracefulShutdown() {
        guard !goingAway else { return }
        goingAway = true
        sendGoAway(reason: "the server is shutting down")
        closeIfDrained()
    }

    private func sendGoAway(reason: String) {
        guard let context else { return }
        let goAway = GoAway(lastStreamId: highestStreamID, reason: reason.replacingNUL)
        var buffer = context.channel.allocator.buffer(capacity: 64)
        let bytes = (try? goAway.serializedBytes()) ?? []
        buffer.writeFrame(kind: .goAway, streamID: 0) { $0.writeBytes(bytes) }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func afterCallEnded() {
        lastActivity = .now()
        closeIfDrained()
    }

    private func closeIfDrained() {
        guard goingAway, active.isEmpty, let context else { return }
        calls.finish()
        context.close(promise: nil)
    }

    private func scheduleIdleCheck(at deadline: NIODeadline) {
        guard let context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.checkIdle()
        }
    }

    private func checkIdle() {
        let idleUntil = lastActivity + TimeAmount(configuration.idleTimeout)
        guard active.isEmpty, idleUntil <= .now() else {
            // Busy, or active since: look again when it could next be idle long enough.
            scheduleIdleCheck(at: active.isEmpty ? idleUntil : .now() + TimeAmount(configuration.idleTimeout))
            return
        }
        logger.debug("closing idle connection")
        initiateGracefulShutdown()
        context?.close(promise: nil)
    }
}

extension String {
    fileprivate var replacingNUL: String { String(map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }) }
}
