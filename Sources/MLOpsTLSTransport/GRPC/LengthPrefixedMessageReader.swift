import MLOpsRPC
import NIOCore

/// gRPC's messages on an HTTP/2 stream: each a compressed flag (one byte), a
/// length (four bytes, big-endian) and that many bytes, split across DATA
/// frames anyhow.
struct LengthPrefixedMessageReader {
    static let prefixSize = 5

    let maximumMessageSize: Int
    private var buffer = ByteBuffer()

    init(maximumMessageSize: Int) {
        self.maximumMessageSize = maximumMessageSize
    }

    mutating func append(_ bytes: ByteBuffer) {
        if buffer.readableBytes == 0 {
            buffer = bytes
        } else {
            var bytes = bytes
            buffer.writeBuffer(&bytes)
        }
    }

    /// The next whole message, nil until one has arrived; throws when the
    /// next one is compressed (we accept none) or larger than the limit.
    mutating func next() throws(RPCError) -> ByteBuffer? {
        guard let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)
        else { return nil }
        guard flag == 0 else {
            throw RPCError(
                code: .unimplemented,
                message: "compressed messages are not accepted: send grpc-encoding identity"
            )
        }
        guard length <= maximumMessageSize else {
            throw RPCError(
                code: .resourceExhausted,
                message: "a request of \(length) bytes exceeds the \(maximumMessageSize)-byte limit"
            )
        }
        guard buffer.readableBytes >= Self.prefixSize + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: Self.prefixSize)
        return buffer.readSlice(length: Int(length))
    }

    /// Bytes received that are not (yet) a whole message.
    var leftoverBytes: Int { buffer.readableBytes }

    /// `message` with its prefix, ready for a DATA frame.
    static func frame(_ message: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        var framed = allocator.buffer(capacity: prefixSize + message.count)
        framed.writeInteger(UInt8(0))
        framed.writeInteger(UInt32(message.count))
        framed.writeBytes(message)
        return framed
    }
}
