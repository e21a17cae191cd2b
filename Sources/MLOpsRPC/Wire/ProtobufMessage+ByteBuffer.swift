package import MLOpsMessages
package import NIOCore

extension ProtobufMessage {
    /// Decodes a frame's payload where it lies in the buffer.
    package init(buffer: ByteBuffer) throws(MessageCodingError) {
        let decoded = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(MessageCodingError) in try Self(serializedBytes: bytes) }
        }
        self = try decoded.get()
    }
}
