public import MLOpsMessages
package import NIOCore

/// The responses of a server-streaming call, decoded as they arrive.
public struct ResponseStream<Response: ProtobufMessage>: AsyncSequence, Sendable {
    public typealias Element = Response

    private let frames: AsyncThrowingStream<ByteBuffer, any Error>
    private let method: String
    private let start: @Sendable () async throws -> Void

    package init(
        frames: AsyncThrowingStream<ByteBuffer, any Error>,
        method: String,
        start: @escaping @Sendable () async throws -> Void
    ) {
        self.frames = frames
        self.method = method
        self.start = start
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(frames: frames.makeAsyncIterator(), method: method, start: start)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var frames: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
        let method: String
        var start: (@Sendable () async throws -> Void)?

        public mutating func next() async throws -> Response? {
            if let start {
                self.start = nil
                try await start()
            }
            guard let bytes = try await frames.next() else { return nil }
            return try Response(response: bytes, method: method)
        }
    }
}
