public import MLOpsMessages
public import MLOpsRPC
import MLOpsTLS
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix

/// Calls one server over a single multiplexed TLS connection, made on first
/// use and made again, with backoff, when it breaks. Every failure is thrown
/// as an `RPCError`: a server that cannot be reached is UNAVAILABLE, naming
/// its address and why.
public final class RPCClient: RPCChannel {
    private let configuration: RPCClientConfiguration
    /// Every connection of this client lives on this loop.
    private let eventLoop: any EventLoop
    private let tls: TLSContext
    private let state = NIOLockedValueBox(ConnectionState.idle(failures: 0, retryAfter: nil))

    private enum ConnectionState {
        case idle(failures: Int, retryAfter: ContinuousClock.Instant?)
        case connecting(EventLoopFuture<ClientConnection>)
        case ready(ClientConnection)
        case closed
    }

    /// - Throws: `TLSError` when the TLS files cannot be loaded.
    public init(
        configuration: RPCClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        self.configuration = configuration
        self.eventLoop = eventLoopGroup.next()
        self.tls = try TLSContext(configuration: configuration.tls)
        self.taskExecutor = EventLoopTaskExecutor(eventLoop)
    }

    /// The executor of the client's connection. Callers that make many calls
    /// and do little else between them save two thread wake-ups per call by
    /// running with `withTaskExecutorPreference(client.taskExecutor)`.
    public let taskExecutor: EventLoopTaskExecutor

    public var address: String { "\(configuration.host):\(configuration.port)" }

    /// Calls a unary method.
    public func unary<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        options: CallOptions = CallOptions()
    ) async throws -> Response {
        let payload = try Self.requestPayload(method.path, request, options)
        let connection = try await connection()
        let handle = ClientCallHandle()
        let bytes = try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                connection.start(handle, method.path, payload, options, .unary(continuation))
            }
        } onCancel: {
            handle.markCancelled()
            connection.outbox.enqueue(.cancel(handle))
        }
        return try Response(response: bytes, method: method.path)
    }

    /// Calls a server-streaming method; the responses arrive as the server
    /// sends them. The call starts with the first `next()`; ending the
    /// iteration early cancels it.
    public func serverStreaming<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        options: CallOptions = CallOptions()
    ) -> ResponseStream<Response> {
        let (frames, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self, throwing: (any Error).self)
        let handle = ClientCallHandle()
        let started = NIOLockedValueBox<ClientConnection?>(nil)
        continuation.onTermination = { termination in
            guard case .cancelled = termination, let connection = started.withLockedValue({ $0 }) else { return }
            handle.markCancelled()
            connection.outbox.enqueue(.cancel(handle))
        }
        return ResponseStream(frames: frames, method: method.path) {
            let payload = try Self.requestPayload(method.path, request, options)
            let connection = try await self.connection()
            started.withLockedValue { $0 = connection }
            connection.start(handle, method.path, payload, options, .streaming(continuation))
        }
    }

    /// Closes the connection; calls in flight fail with UNAVAILABLE.
    public func close() async {
        let previous = state.withLockedValue { state in
            defer { state = .closed }
            return state
        }
        if case .ready(let connection) = previous {
            try? await connection.channel.close()
        }
    }

    // MARK: Connection

    private func connection() async throws -> ClientConnection {
        enum Next {
            case use(ClientConnection)
            case await(EventLoopFuture<ClientConnection>)
            case wait(Duration)
            case connect(EventLoopPromise<ClientConnection>, failures: Int)
        }
        while true {
            let next: Next = try state.withLockedValue { state in
                switch state {
                case .ready(let connection) where connection.acceptsCalls:
                    return .use(connection)
                case .ready:
                    // The connection is going away: make the next one now.
                    let promise = eventLoop.makePromise(of: ClientConnection.self)
                    state = .connecting(promise.futureResult)
                    return .connect(promise, failures: 0)
                case .connecting(let future):
                    return .await(future)
                case .idle(let failures, let retryAfter):
                    if let retryAfter, retryAfter > .now {
                        return .wait(retryAfter - .now)
                    }
                    let promise = eventLoop.makePromise(of: ClientConnection.self)
                    state = .connecting(promise.futureResult)
                    return .connect(promise, failures: failures)
                case .closed:
                    throw RPCError(code: .unavailable, message: "\(address): the client is closed")
                }
            }
            switch next {
            case .use(let connection):
                return connection
            case .await(let future):
                return try await future.get()
            case .wait(let delay):
                try await Task.sleep(for: delay)
            case .connect(let promise, let failures):
                do {
                    let connection = try await connect()
                    state.withLockedValue { $0 = .ready(connection) }
                    promise.succeed(connection)
                    return connection
                } catch {
                    let backoff = min(
                        configuration.reconnectBackoff.initial * (1 << min(failures, 16)),
                        configuration.reconnectBackoff.maximum
                    )
                    state.withLockedValue { $0 = .idle(failures: failures + 1, retryAfter: .now + backoff) }
                    let rpcError =
                        error as? RPCError
                        ?? RPCError(code: .unavailable, message: "cannot reach \(address): \(error)", cause: error)
                    promise.fail(rpcError)
                    throw rpcError
                }
            }
        }
    }

    private func connect() async throws -> ClientConnection {
        let tls = self.tls
        let configuration = self.configuration
        let address = self.address
        let channel = try await ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ready = channel.eventLoop.makePromise(of: Void.self)
                    let handler = ClientConnectionHandler(
                        address: address,
                        ready: ready,
                        maximumFrameSize: configuration.maximumFrameSize
                    )
                    try channel.pipeline.syncOperations.addHandlers([try TLSHandler(context: tls), handler])
                    let loopBound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
                    let outbox = BatchingOutbox<ClientOutboundItem>(eventLoop: channel.eventLoop) { items in
                        loopBound.value.write(items)
                    }
                    return (
                        ClientConnection(channel: channel, outbox: outbox, acceptsCallsFlag: handler.acceptsCalls),
                        ready.futureResult
                    )
                }
            }
        do {
            try await channel.1.get()
        } catch {
            channel.0.channel.close(promise: nil)
            throw RPCError(code: .unavailable, message: "cannot reach \(address): \(error)", cause: error)
        }
        return channel.0
    }

    // MARK: Encoding

    static func requestPayload<Request: ProtobufMessage>(
        _ path: String,
        _ request: Request,
        _ options: CallOptions
    ) throws -> [UInt8] {
        do {
            let header = RequestHeader(
                method: path,
                timeoutMicros: options.timeout.map { max(1, $0.microseconds) } ?? 0,
                metadata: options.metadata
            )
            let headerBytes = try header.serializedBytes()
            let message = try request.serializedBytes()
            var payload: [UInt8] = []
            payload.reserveCapacity(4 + headerBytes.count + message.count)
            withUnsafeBytes(of: UInt32(headerBytes.count).bigEndian) { payload.append(contentsOf: $0) }
            payload += headerBytes
            payload += message
            return payload
        } catch {
            throw RPCError(
                code: .invalidArgument,
                message: "\(path): the request does not encode: \(error)",
                cause: error
            )
        }
    }
}

/// A live connection the client hands calls to.
struct ClientConnection: Sendable {
    let channel: any Channel
    let outbox: BatchingOutbox<ClientOutboundItem>
    let acceptsCallsFlag: NIOLockedValueBox<Bool>

    var acceptsCalls: Bool { acceptsCallsFlag.withLockedValue { $0 } && channel.isActive }

    /// Hands a call to the connection's event loop.
    func start(
        _ handle: ClientCallHandle,
        _ method: String,
        _ payload: [UInt8],
        _ options: CallOptions,
        _ consumer: ResponseConsumer
    ) {
        let call = ClientCallStart(
            handle: handle,
            method: method,
            payload: payload,
            timeout: options.timeout,
            consumer: consumer
        )
        outbox.enqueue(.start(call))
    }
}
