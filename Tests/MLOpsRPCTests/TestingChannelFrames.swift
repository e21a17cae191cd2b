import NIOCore
import NIOEmbedded

@testable import MLOpsTLSTransport

extension NIOAsyncTestingChannel {
    /// The frames a handler has written, once `count` have come: its calls
    /// run as tasks on the channel's loop, which this turns meanwhile.
    func writtenFrames(_ count: Int) async throws -> [Frame] {
        var reader = FrameReader(maximumPayloadSize: 1 << 20)
        var frames: [Frame] = []
        for _ in 0..<5000 where frames.count < count {  // up to ~10 s, for a starved machine
            await testingEventLoop.run()
            while let bytes = try await readOutbound(as: ByteBuffer.self) { reader.append(bytes) }
            while let inbound = try reader.next() {
                if case .frame(let frame) = inbound { frames.append(frame) }
            }
            if frames.count < count { try await Task.sleep(for: .milliseconds(2)) }
        }
        return frames
    }
}
