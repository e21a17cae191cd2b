package import Logging
package import MLOpsMessages
import NIOConcurrencyHelpers
package import NIOCore

/// One accepted call: its handler run, its answer or failure turned into
/// a status, once.
package final class ServerCall: Sendable {
    package let streamID: UInt32
    package let context: ServerCallContext
    private let handler: RPCRouter.Handler
    private let request: ByteBuffer
    private let sink: ResponseSink
    private let logger: Logger
    private let task = CancellableTask()

    package init(
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

    package func run() async {
        await task.run {
            // A write run after its caller stopped waiting leaves the caller
            // unsure whether it happened: one already late does not run.
            if let deadline = context.deadline, deadline <= .now {
                sink.finish(RPCError.deadlinePassedBeforeStart(context.method).status)
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
    package func cancel() {
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

/// Where a call's responses and status go: a transport's frames, or,
/// in process, the caller itself.
package protocol ResponseWriter: Sendable {
    /// A unary response; the status follows at once.
    func write(_ bytes: [UInt8])
    /// One of a stream's responses; returns once the transport has room for
    /// the next, so a stream goes as fast as its reader reads.
    func writePaced(_ bytes: [UInt8]) async throws
    func finish(_ status: Status)
}

/// What a handler's responses go through: checked and encoded here, then
/// handed to the transport's writer.
package struct ResponseSink: Sendable {
    let writer: any ResponseWriter
    let maximumFrameSize: Int
    let method: String

    package init(writer: any ResponseWriter, maximumFrameSize: Int, method: String) {
        self.writer = writer
        self.maximumFrameSize = maximumFrameSize
        self.method = method
    }

    func send(_ response: some ProtobufMessage) throws {
        writer.write(try encode(response))
    }

    func sendPaced(_ response: some ProtobufMessage) async throws {
        try Task.checkCancellation()
        try await writer.writePaced(try encode(response))
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
        writer.finish(status)
    }
}
