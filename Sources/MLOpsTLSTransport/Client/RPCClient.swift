public import MLOpsMessages
public import MLOpsRPC
import MLOpsTLS
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix

/// Calls a service over multiplexed TLS connections: one per server address
/// its targets stand for, each made on first use and made again, with
/// backoff, when it breaks. Calls go to the less loaded of two ready servers;
/// a unary call that never left (no connection, or refused by a server's
/// GOAWAY) is tried on another. Every failure is thrown as an `RPCError`: a
/// service that cannot be reached is UNAVAILABLE, naming the address and why.
public final class RPCClient: RPCChannel {
    private let balancer: LoadBalancer

    /// - Throws: `TLSError` when the TLS files cannot be loaded.
    public init(
        configuration: RPCClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        let eventLoop = eventLoopGroup.next()
        self.balancer = try LoadBalancer(configuration: configuration, eventLoop: eventLoop)
        self.taskExecutor = EventLoopTaskExecutor(eventLoop)
    }

    /// The executor of the client's connections. Callers that make many calls
    /// and do little else between them save two thread wake-ups per call by
    /// running with `withTaskExecutorPreference(client.taskExecutor)`.
    public let taskExecutor: EventLoopTaskExecutor

    /// The targets, `host:port` joined by commas.
    public var address: String { balancer.description }

    /// Calls a unary method.
    public func unary<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        options: CallOptions = CallOptions()
    ) async throws -> Response {
        let payload = try Self.requestPayload(method.path, request, options)
        var tried: Set<ObjectIdentifier> = []
        while true {
            guard let endpoint = try balancer.pick(excluding: tried) else {
                await balancer.firstLookup()
                continue
            }
            do {
                endpoint.callStarted()
                defer { endpoint.callEnded() }
                let bytes = try await call(method.path, payload, options, on: try await endpoint.connection())
                return try Response(response: bytes, method: method.path)
            } catch let notSent as CallNotSent {
                // No server acted on it: another may take it.
                balancer.resolveSoon()
                tried.insert(ObjectIdentifier(endpoint))
                guard balancer.hasEndpoint(excluding: tried) else { throw notSent.error }
            }
        }
    }

    private func call(
        _ method: String,
        _ payload: [UInt8],
        _ options: CallOptions,
        on connection: ClientConnection
    ) async throws -> ByteBuffer {
        let handle = ClientCallHandle()
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                connection.start(handle, method, payload, options, .unary(continuation))
            }
        } onCancel: {
            handle.markCancelled()
            connection.outbox.enqueue(.cancel(handle))
        }
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
        // Where the stream went, and whether it ended (which may come before it started).
        let started = NIOLockedValueBox<(connection: ClientConnection?, endpoint: Endpoint?, ended: Bool)>(
            (nil, nil, false)
        )
        continuation.onTermination = { termination in
            let connection = started.withLockedValue { started in
                started.endpoint?.callEnded()
                started.endpoint = nil
                started.ended = true
                return started.connection
            }
            guard case .cancelled = termination, let connection else { return }
            handle.markCancelled()
            connection.outbox.enqueue(.cancel(handle))
        }
        return ResponseStream(frames: frames, method: method.path) {
            let payload = try Self.requestPayload(method.path, request, options)
            // A stream is tried on one server: once it has begun, its answers cannot be replayed.
            let endpoint = try await self.balancer.pickWaitingForFirstLookup()
            let connection: ClientConnection
            do {
                connection = try await endpoint.connection()
            } catch let notSent as CallNotSent {
                self.balancer.resolveSoon()
                throw notSent.error
            }
            started.withLockedValue { started in
                started.connection = connection
                guard !started.ended else { return }
                endpoint.callStarted()
                started.endpoint = endpoint
            }
            connection.start(handle, method.path, payload, options, .streaming(continuation))
        }
    }

    /// Closes the connections; calls in flight fail with UNAVAILABLE.
    public func close() async {
        await balancer.close()
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
