import MLOpsMessages
import MLOpsRPC
import NIOCore

/// What a call's task hands its connection to write.
enum ServerOutboundItem: Sendable {
    /// `written` is resumed once the frame is handed to the channel (or
    /// dropped); with true when a pause is due (`StreamPacing`), and then only
    /// once the frame is on the socket.
    case message(streamID: UInt32, bytes: [UInt8], written: CheckedContinuation<Bool, Never>?)
    case status(streamID: UInt32, status: Status)
}

/// A call's responses as frames in its connection's outbox.
struct FrameResponseWriter: ResponseWriter {
    let streamID: UInt32
    let outbox: BatchingOutbox<ServerOutboundItem>
    let writability: WritabilityGate

    func write(_ bytes: [UInt8]) {
        outbox.enqueue(.message(streamID: streamID, bytes: bytes, written: nil))
    }

    func writePaced(_ bytes: [UInt8]) async throws {
        let pauseDue = await withCheckedContinuation { written in
            outbox.enqueue(.message(streamID: streamID, bytes: bytes, written: written))
        }
        if pauseDue { await StreamPacing.pause(on: outbox.eventLoop) }
        try await writability.waitUntilOpen()
    }

    func finish(_ status: Status) {
        outbox.enqueue(.status(streamID: streamID, status: status))
    }
}
