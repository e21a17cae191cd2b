import MLOpsMessages
import MLOpsRPC
import NIOCore
import Synchronization

/// Where a call's answer goes.
enum ResponseConsumer: Sendable {
    case unary(UnsafeContinuation<ByteBuffer, any Error>)
    case streaming(AsyncThrowingStream<ByteBuffer, any Error>.Continuation)

    func fail(_ error: RPCError) {
        switch self {
        case .unary(let continuation): continuation.resume(throwing: error)
        case .streaming(let continuation): continuation.finish(throwing: error)
        }
    }

    /// Fails a call no server acted on: a unary one may be tried elsewhere.
    func failNotSent(_ error: RPCError) {
        switch self {
        case .unary(let continuation): continuation.resume(throwing: CallNotSent(error: error))
        case .streaming(let continuation): continuation.finish(throwing: error)
        }
    }
}

/// A call as the caller's task knows it: the stream id once the connection
/// has given it one, and whether the caller has given up.
final class ClientCallHandle: Sendable {
    // A mutex in place: one allocation per call rather than a lock box beside it.
    private let state = Mutex<(streamID: UInt32?, cancelled: Bool)>((nil, false))

    var streamID: UInt32? {
        get { state.withLock { $0.streamID } }
        set { state.withLock { $0.streamID = newValue } }
    }

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    func markCancelled() { state.withLock { $0.cancelled = true } }
}

/// What the caller's task hands the connection.
enum ClientOutboundItem: Sendable {
    case start(ClientCallStart)
    case cancel(ClientCallHandle)
    /// Take no new calls and close once the open ones are answered.
    case drain
}

struct ClientCallStart: Sendable {
    let handle: ClientCallHandle
    let method: String
    /// The `request` frame's payload, encoded in the caller's task.
    let payload: [UInt8]
    let timeout: Duration?
    let consumer: ResponseConsumer
}
