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

    /// A response as a caller decodes it: a payload that is not this message
    /// is the server's fault, `INTERNAL`.
    package init(response bytes: ByteBuffer, method: String) throws(RPCError) {
        do {
            try self.init(buffer: bytes)
        } catch {
            throw RPCError(code: .internal, message: "\(method): the response is not a \(Self.protoName): \(error)")
        }
    }
}
