import Logging
import MLOpsMessages
import MLOpsRPC
import NIOCore
import NIOHPACK
import NIOHTTP2

/// One gRPC call on its HTTP/2 stream, on the connection's event loop:
/// request headers and message in; response headers, messages and trailers
/// out. The call itself goes through the same router, call machinery and
/// error mapping as a call in our framing.
final class GRPCServerStreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private struct Request {
        let method: String
        let handler: RPCRouter.Handler
        let metadata: [String: String]
        let timeout: Duration?
        var reader: LengthPrefixedMessageReader
        var message: ByteBuffer?
    }

    /// A bidirectional stream answered message by message (`RPCRouter.exchanges`).
    private struct Exchange {
        let handler: RPCRouter.ExchangeHandler
        let context: ServerCallContext
        var reader: LengthPrefixedMessageReader
    }

    private enum State {
        case awaitingHeaders
        case receiving(Request)
        case running(ServerCall)
        case exchanging(Exchange)
        case done
    }

    private let environment: GRPCConnectionEnvironment
    private let streamID: UInt32
    private var state = State.awaitingHeaders
    private var context: ChannelHandlerContext?
    private var responseHeadersSent = false
    private var deadlineTimer: Scheduled<Void>?
    private var pacing = StreamPacing()
    /// This stream's share of the connection's `GRPCRequestBudget`, given back once the request is whole or refused.
    private var bufferedRequestBytes = 0
    private let writability = WritabilityGate()

    init(environment: GRPCConnectionEnvironment, streamID: UInt32) {
        self.environment = environment
        self.streamID = streamID
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        environment.activity.adjustCallsInFlight(by: 1)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A reset by the client (RST_STREAM) or a lost connection: the call is over.
        if case .running(let call) = state { call.cancel() }
        deadlineTimer?.cancel()
        releaseRequestBytes()
        state = .done
        environment.activity.adjustCallsInFlight(by: -1)
        writability.setOpen(true)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writability.setOpen(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Stream errors (a reset, a malformed header block) end this stream only.
        environment.logger.debug("gRPC stream failed", metadata: ["error": "\(GRPCStatusMessage.loggable(error))"])
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.headers(let headers), .awaitingHeaders):
            receiveHeaders(headers.headers, endStream: headers.endStream)
        case (.data(let data), .receiving(var request)):
            guard case .byteBuffer(let bytes) = data.data else { return }
            guard environment.requestBudget.value.take(bytes.readableBytes) else { return refuseOverBudget() }
            bufferedRequestBytes += bytes.readableBytes
            request.reader.append(bytes)
            do {
                // Read as it arrives, so a prefix announcing too much is refused at once.
                while let message = try request.reader.next() {
                    guard request.message == nil else { return refuseAsNotOneMessage(request) }
                    request.message = message
                }
            } catch {
                return refuse(error)
            }
            state = .receiving(request)
            if data.endStream { receiveEnd() }
        case (.headers(let trailers), .receiving) where trailers.endStream:
            receiveEnd()
        case (.data(let data), .exchanging(let exchange)):
            guard case .byteBuffer(let bytes) = data.data else { return }
            receiveExchanged(bytes, exchange, endStream: data.endStream)
        case (.headers(let trailers), .exchanging(let exchange)) where trailers.endStream:
            receiveExchanged(ByteBuffer(), exchange, endStream: true)
        case (.rstStream, .running(let call)):
            call.cancel()
            deadlineTimer?.cancel()
            state = .done
        case (.rstStream, .exchanging):
            deadlineTimer?.cancel()
            state = .done
        default:
            // Frames after the request ended, or after the answer was given.
            break
        }
    }

    // MARK: The request

    private func receiveHeaders(_ headers: HPACKHeaders, endStream: Bool) {
        guard headers.first(name: ":method") == "POST" else {
            return refuse(httpStatus: "405", RPCError(code: .unimplemented, message: "gRPC calls are POSTs"))
        }
        guard let contentType = headers.first(name: "content-type"), contentType.hasPrefix("application/grpc") else {
            return refuse(
                httpStatus: "415",
                RPCError(code: .invalidArgument, message: "content-type must be application/grpc")
            )
        }
        let method = headers.first(name: ":path") ?? ""
        let handler = environment.router.handlers[method]
        let exchangeHandler = environment.router.exchanges[method]
        guard handler != nil || exchangeHandler != nil else { return refuse(.unknownMethod(method)) }
        if let encoding = headers.first(name: "grpc-encoding"), encoding != "identity" {
            return refuse(
                RPCError(
                    code: .unimplemented,
                    message: "\(method): grpc-encoding \(encoding.prefix(40)) is not accepted"
                )
            )
        }
        var timeout: Duration?
        if let value = headers.first(name: "grpc-timeout") {
            guard let parsed = GRPCTimeout.parse(Substring(value)) else {
                return refuse(
                    RPCError(
                        code: .invalidArgument,
                        message: "\(method): grpc-timeout \(value.prefix(20)) is malformed"
                    )
                )
            }
            timeout = parsed
        }
        var metadata: [String: String] = [:]
        for (name, value, _) in headers where !Self.isReserved(name) {
            metadata[name] = value
        }
        let reader = LengthPrefixedMessageReader(maximumMessageSize: environment.configuration.maximumFrameSize)
        guard let handler else {
            return startExchange(
                method: method,
                handler: exchangeHandler!,
                metadata: metadata,
                timeout: timeout,
                reader: reader,
                endStream: endStream
            )
        }
        state = .receiving(
            Request(
                method: method,
                handler: handler,
                metadata: metadata,
                timeout: timeout,
                reader: reader,
                message: nil
            )
        )
        if endStream { receiveEnd() }
    }

    /// Headers that are HTTP's or gRPC's own, not the caller's metadata.
    private static func isReserved(_ name: String) -> Bool {
        name.hasPrefix(":") || name.hasPrefix("grpc-") || name == "content-type" || name == "te"
            || name == "content-length"
    }

    /// The client has sent everything: a unary or server-streaming call takes
    /// exactly one message.
    private func receiveEnd() {
        guard case .receiving(let request) = state, let context else { return }
        guard let message = request.message, request.reader.leftoverBytes == 0 else {
            return refuseAsNotOneMessage(request)
        }
        if let timeout = request.timeout, timeout <= .zero {
            return refuse(.deadlinePassedBeforeStart(request.method))
        }
        let callContext = makeCallContext(method: request.method, metadata: request.metadata, timeout: request.timeout)
        let sink = ResponseSink(
            writer: GRPCResponseWriter(
                stream: NIOLoopBound(self, eventLoop: context.eventLoop),
                eventLoop: context.eventLoop,
                writability: writability
            ),
            maximumFrameSize: environment.configuration.maximumFrameSize,
            method: request.method
        )
        let call = ServerCall(
            streamID: streamID,
            context: callContext,
            handler: request.handler,
            request: message,
            sink: sink,
            logger: environment.logger
        )
        releaseRequestBytes()
        state = .running(call)
        scheduleDeadline(method: request.method, timeout: request.timeout)
        environment.calls.start(call)
    }

    private func makeCallContext(method: String, metadata: [String: String], timeout: Duration?) -> ServerCallContext {
        ServerCallContext(
            method: method,
            peer: environment.peer,
            metadata: metadata,
            deadline: timeout.map { .now + $0 },
            connectionTag: environment.connectionTag,
            streamID: streamID
        )
    }

    private func scheduleDeadline(method: String, timeout: Duration?) {
        guard let timeout, let context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadlineTimer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            loopBound.value.deadlinePassed(method: method, timeout: timeout)
        }
    }

    private func deadlinePassed(method: String, timeout: Duration) {
        switch state {
        case .running(let call): call.cancel()
        case .exchanging: break
        default: return
        }
        writeStatus(RPCError.deadlineExceeded(method, after: timeout).status)
    }

    // MARK: A message exchange

    private func startExchange(
        method: String,
        handler: @escaping RPCRouter.ExchangeHandler,
        metadata: [String: String],
        timeout: Duration?,
        reader: LengthPrefixedMessageReader,
        endStream: Bool
    ) {
        if let timeout, timeout <= .zero { return refuse(.deadlinePassedBeforeStart(method)) }
        let exchange = Exchange(
            handler: handler,
            context: makeCallContext(method: method, metadata: metadata, timeout: timeout),
            reader: reader
        )
        state = .exchanging(exchange)
        scheduleDeadline(method: method, timeout: timeout)
        if endStream { receiveExchanged(ByteBuffer(), exchange, endStream: true) }
    }

    /// Answers each whole message as it arrives; the stream ends, with OK,
    /// when the caller ends its side.
    private func receiveExchanged(_ bytes: ByteBuffer, _ exchange: Exchange, endStream: Bool) {
        var exchange = exchange
        guard environment.requestBudget.value.take(bytes.readableBytes) else { return refuseOverBudget() }
        bufferedRequestBytes += bytes.readableBytes
        exchange.reader.append(bytes)
        do {
            while let message = try exchange.reader.next() {
                // Questions are small, answers may be large: one asking faster than it reads is ended.
                guard context?.channel.isWritable != false else {
                    throw RPCError(
                        code: .resourceExhausted,
                        message: "\(exchange.context.method): answers are not being read"
                    )
                }
                writeFramed(try exchange.handler(message, exchange.context))
            }
        } catch {
            return writeStatus(CallFailure(error, context: exchange.context, logger: environment.logger).status)
        }
        environment.requestBudget.value.release(bufferedRequestBytes - exchange.reader.leftoverBytes)
        bufferedRequestBytes = exchange.reader.leftoverBytes
        guard endStream else {
            state = .exchanging(exchange)
            return context?.flush() ?? ()
        }
        guard exchange.reader.leftoverBytes == 0 else {
            return refuse(
                RPCError(code: .invalidArgument, message: "\(exchange.context.method): the last message is cut short")
            )
        }
        writeStatus(Status(code: StatusCode.ok.rawValue))
    }

    private func refuseAsNotOneMessage(_ request: Request) {
        refuse(RPCError(code: .invalidArgument, message: "\(request.method) takes exactly one request message"))
    }

    private func refuseOverBudget() {
        let limit = environment.requestBudget.value.limit
        refuse(
            RPCError(
                code: .resourceExhausted,
                message: "more than \(limit) bytes of requests are arriving at once on this connection"
            )
        )
    }

    private func releaseRequestBytes() {
        environment.requestBudget.value.release(bufferedRequestBytes)
        bufferedRequestBytes = 0
    }

    private func refuse(httpStatus: String = "200", _ error: RPCError) {
        writeStatus(error.status, httpStatus: httpStatus)
    }

    // MARK: The response

    /// A unary call's response; the headers go first, the trailers (and the flush) follow.
    func writeMessage(_ bytes: [UInt8]) {
        guard case .running = state else { return }
        writeFramed(bytes)
    }

    private func writeFramed(_ bytes: [UInt8]) {
        guard let context else { return }
        writeResponseHeadersIfNeeded(context: context)
        let framed = LengthPrefixedMessageReader.frame(bytes, allocator: context.channel.allocator)
        context.write(wrapOutboundOut(.data(.init(data: .byteBuffer(framed)))), promise: nil)
    }

    /// One of a stream's messages, flushed at the end of the loop's tick.
    /// `written` is resumed at once, or, when a pause is due (`StreamPacing`),
    /// with true once the message is on the socket.
    func writeStreamed(_ bytes: [UInt8], written: CheckedContinuation<Bool, Never>) {
        guard case .running = state, let context else { return written.resume(returning: false) }
        writeResponseHeadersIfNeeded(context: context)
        let framed = LengthPrefixedMessageReader.frame(bytes, allocator: context.channel.allocator)
        let data = wrapOutboundOut(.data(.init(data: .byteBuffer(framed))))
        guard pacing.pauseDue() else {
            context.writeAndFlush(data, promise: nil)
            return written.resume(returning: false)
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { _ in written.resume(returning: true) }
        context.writeAndFlush(data, promise: promise)
    }

    /// The call's status as trailers, which end the stream: alone (a
    /// "trailers-only" response) when nothing was sent before.
    func writeStatus(_ status: Status, httpStatus: String = "200") {
        guard let context else { return }
        if case .done = state { return }
        state = .done
        deadlineTimer?.cancel()
        releaseRequestBytes()
        var trailers = HPACKHeaders()
        if !responseHeadersSent {
            trailers.add(name: ":status", value: httpStatus)
            trailers.add(name: "content-type", value: "application/grpc")
        }
        trailers.add(name: "grpc-status", value: String(status.code))
        if !status.message.isEmpty {
            trailers.add(name: "grpc-message", value: GRPCStatusMessage.encode(status.message))
        }
        for (name, value) in status.metadata where Self.isValidMetadata(name: name, value: value) {
            trailers.add(name: name, value: value)
        }
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
    }

    private func writeResponseHeadersIfNeeded(context: ChannelHandlerContext) {
        guard !responseHeadersSent else { return }
        responseHeadersSent = true
        let headers: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
        context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
    }

    /// Metadata a handler set that HTTP/2 can carry: a lowercase token name
    /// that is not reserved, and a value without control characters.
    private static func isValidMetadata(name: String, value: String) -> Bool {
        !name.isEmpty && !isReserved(name)
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            } && value.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F }
    }
}
