import MLOpsMessages
import MLOpsRPC
import NIOCore

/// A call's responses as DATA frames and its status as trailers on its stream.
struct GRPCResponseWriter: ResponseWriter {
    let stream: NIOLoopBound<GRPCServerStreamHandler>
    let eventLoop: any EventLoop
    let writability: WritabilityGate

    func write(_ bytes: [UInt8]) {
        onLoop { $0.writeMessage(bytes) }
    }

    /// A stream's message; returns once the stream has room for the next.
    func writePaced(_ bytes: [UInt8]) async throws {
        let pauseDue = await withCheckedContinuation { written in
            onLoop { $0.writeStreamed(bytes, written: written) }
        }
        if pauseDue { await StreamPacing.pause(on: eventLoop) }
        try await writability.waitUntilOpen()
    }

    func finish(_ status: Status) {
        onLoop { $0.writeStatus(status) }
    }

    /// Calls run on their connection's event loop, so this is mostly direct.
    private func onLoop(_ body: @escaping @Sendable (GRPCServerStreamHandler) -> Void) {
        if eventLoop.inEventLoop {
            body(stream.value)
        } else {
            let stream = self.stream
            eventLoop.execute { body(stream.value) }
        }
    }
}
