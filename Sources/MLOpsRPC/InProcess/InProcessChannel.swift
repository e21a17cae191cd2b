public import Logging
public import MLOpsMessages
import NIOConcurrencyHelpers
import NIOCore

/// Calls a server's handlers in this process, as the caller `identity`: no
/// sockets, certificates or framing, but everything else a call over the
/// network goes through: the protobuf codec both ways, the router, the call
/// machinery (deadlines, cancellation) and the one error mapping. For tests
/// of what the handlers do.
public final class InProcessChannel: RPCChannel {
    private let router: RPCRouter
    private let peer: PeerIdentity?
    private let logger: Logger
    private let maximumFrameSize: Int
    private let nextCallID = NIOLockedValueBox<UInt32>(0)

    /// `identity` nil calls as a client without a certificate.
    public init(
        services: [any RPCService],
        identity: String?,
        maximumFrameSize: Int = 4 * 1024 * 1024,
        logger: Logger = Logger(label: "mlops.in-process")
    ) {
        var router = RPCRouter()
        for service in services { service.register(in: &router) }
        self.router = router
        self.peer = identity.map { PeerIdentity(commonName: $0) }
        self.maximumFrameSize = maximumFrameSize
        self.logger = logger
    }

    public var address: String { "in-process (\(peer?.commonName ?? "anonymous"))" }

    public func unary<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        options: CallOptions
    ) async throws -> Response {
        let call = try start(method.path, request, options)
        return try await withTaskCancellationHandler {
            var responses = call.responses.makeAsyncIterator()
            guard let bytes = try await responses.next() else {
                // The stream ends early, without the status, when the calling task is cancelled.
                if Task.isCancelled { throw Self.cancelled(method.path) }
                throw RPCError(code: .internal, message: "\(method.path): the server sent no response")
            }
            return try Response(response: bytes, method: method.path)
        } onCancel: {
            call.cancel()
        }
    }

    public func serverStreaming<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ request: Request,
        options: CallOptions
    ) -> ResponseStream<Response> {
        let (frames, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self, throwing: (any Error).self)
        let started = NIOLockedValueBox<RunningCall?>(nil)
        continuation.onTermination = { termination in
            guard case .cancelled = termination else { return }
            started.withLockedValue { $0 }?.cancel()
        }
        return ResponseStream(frames: frames, method: method.path) {
            let call = try self.start(method.path, request, options)
            started.withLockedValue { $0 = call }
            Task {
                do {
                    for try await frame in call.responses { continuation.yield(frame) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
        }
    }

    public func close() async {}

    private static func cancelled(_ method: String) -> RPCError {
        RPCError(code: .cancelled, message: "\(method): cancelled by the caller")
    }

    /// A call under way: its responses, ending with its status.
    private struct RunningCall: Sendable {
        let responses: AsyncThrowingStream<ByteBuffer, any Error>
        let call: ServerCall
        let writer: CallerWriter
        let timer: Task<Void, Never>?

        func cancel() {
            timer?.cancel()
            writer.finish(InProcessChannel.cancelled(call.context.method).status)
            call.cancel()
        }
    }

    private func start(_ path: String, _ request: some ProtobufMessage, _ options: CallOptions) throws -> RunningCall {
        let bytes: [UInt8]
        do {
            bytes = try request.serializedBytes()
        } catch {
            throw RPCError(code: .invalidArgument, message: "\(path): the request does not encode: \(error)")
        }
        guard let handler = router.handlers[path] else {
            throw RPCError.unknownMethod(path)
        }
        let id = nextCallID.withLockedValue { id in
            id &+= 1
            return id
        }
        let (responses, continuation) = AsyncThrowingStream.makeStream(
            of: ByteBuffer.self,
            throwing: (any Error).self
        )
        let writer = CallerWriter(continuation: continuation)
        let call = ServerCall(
            streamID: id,
            context: ServerCallContext(
                method: path,
                peer: peer,
                metadata: options.metadata,
                deadline: options.timeout.map { .now + $0 },
                connectionTag: "in-process",
                streamID: id
            ),
            handler: handler,
            request: ByteBuffer(bytes: bytes),
            sink: ResponseSink(writer: writer, maximumFrameSize: maximumFrameSize, method: path),
            logger: logger
        )
        // As on the wire: at its deadline the call is cancelled and answered,
        // whatever its handler does.
        let timer = options.timeout.map { timeout in
            Task {
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                call.cancel()
                writer.finish(RPCError.deadlineExceeded(path, after: timeout).status)
            }
        }
        Task {
            await call.run()
            timer?.cancel()
        }
        return RunningCall(responses: responses, call: call, writer: writer, timer: timer)
    }
}

/// Hands a call's responses and status straight to its caller; whatever
/// comes after the status (a handler finishing after its deadline) is dropped.
private struct CallerWriter: ResponseWriter {
    let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation

    func write(_ bytes: [UInt8]) {
        continuation.yield(ByteBuffer(bytes: bytes))
    }

    func writePaced(_ bytes: [UInt8]) async throws {
        continuation.yield(ByteBuffer(bytes: bytes))
    }

    func finish(_ status: Status) {
        if let error = RPCError(status: status) {
            continuation.finish(throwing: error)
        } else {
            continuation.finish()
        }
    }
}
