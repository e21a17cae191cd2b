import Logging
import MLOpsMessages
import NIOConcurrencyHelpers
import NIOCore

/// One accepted call, run as a task of its own on its connection's event loop.
final class ServerCall: Sendable {
    let streamID: UInt32
    let context: ServerCallContext
    private let handler: RPCRouter.Handler
    private let request: ByteBuffer
    private let sink: ResponseSink
    private let logger: Logger
    private let task = CancellableTask()

    init(
        streamID: UInt32,
        context: ServerCallContext,
        handler: @escaping RPCRouter.Handler,
        request: ByteBuffer,
        sink: ResponseSink,
        logger: Logger
    ) {
        self.streamID = streamID
        self.context = context
        self.handler = handler
        self.request = request
        self.sink = sink
        self.logger = logger
    }

    func run() async {
        await task.run {
            // A write run after its caller stopped waiting leaves the caller
            // unsure whether it happened: one already late does not run.
            if let deadline = context.deadline, deadline <= .now {
                sink.finish(
                    RPCError(
                        code: .deadlineExceeded,
                        message: "\(context.method): the deadline passed before the call started; it did not run"
                    ).status
                )
                return
            }
            do {
                try await handler(request, context, sink)
                sink.finish(Status(code: StatusCode.ok.rawValue))
            } catch is CancellationError where task.isCancelled {
                // Whoever cancelled (deadline, caller, shutdown) has answered.
            } catch {
                sink.finish(CallFailure(error, context: context, logger: logger).status)
            }
        }
    }

    /// Cancels the handler; its answer, if it still gives one, is dropped.
    func cancel() {
        task.cancel()
    }
}

/// Lets the event loop cancel a call's task: the task registers
/// itself while it runs, and a cancel before it starts is remembered.
final class CancellableTask: @unchecked Sendable {
    // Guarded by `lock`; `task` is valid only while `run` is executing.
    private let lock = NIOLock()
    private var task: UnsafeCurrentTask?
    private var cancelled = false

    var isCancelled: Bool { lock.withLock { cancelled } }

    func run(_ body: () async -> Void) async {
        withUnsafeCurrentTask { current in
            lock.withLock {
                task = current
                if cancelled { current?.cancel() }
            }
        }
        await body()
        lock.withLock { task = nil }
    }

    func cancel() {
        lock.withLock {
            cancelled = true
            task?.cancel()
        }
    }
}

/// What a call's task hands its connection to write.
enum ServerOutboundItem: Sendable {
    /// `written` is resumed once the frame is handed to the channel (or dropped).
    case message(streamID: UInt32, bytes: [UInt8], written: CheckedContinuation<Void, Never>?)
    case status(streamID: UInt32, status: Status)
}

/// Where a handler's responses go: frames in the connection's outbox.
package struct ResponseSink: Sendable {
    let streamID: UInt32
    let outbox: BatchingOutbox<ServerOutboundItem>
    let writability: WritabilityGate
    let maximumFrameSize: Int
    let method: String

    /// Queues a unary response; the status follows at once.
    func send(_ response: some ProtobufMessage) throws {
        outbox.enqueue(.message(streamID: streamID, bytes: try encode(response), written: nil))
    }

    /// Queues one of a stream's responses and returns once it is on its way
    /// and the socket has room: a stream goes as fast as its reader reads.
    func sendPaced(_ response: some ProtobufMessage) async throws {
        try Task.checkCancellation()
        let bytes = try encode(response)
        await withCheckedContinuation { written in
            outbox.enqueue(.message(streamID: streamID, bytes: bytes, written: written))
        }
        try await writability.waitUntilOpen()
    }

    private func encode(_ response: some ProtobufMessage) throws(RPCError) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try response.serializedBytes()
        } catch {
            throw RPCError(code: .internal, message: "\(method): the response does not encode: \(error)")
        }
        guard bytes.count <= maximumFrameSize else {
            throw RPCError(
                code: .resourceExhausted,
                message:
                    "\(method): a response of \(bytes.count) bytes exceeds the \(maximumFrameSize)-byte frame limit"
            )
        }
        return bytes
    }

    func finish(_ status: Status) {
        outbox.enqueue(.status(streamID: streamID, status: status))
    }
}
