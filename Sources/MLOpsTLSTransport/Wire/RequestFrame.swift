package import MLOpsMessages
package import MLOpsRPC
package import NIOCore

/// The payload of a `request` frame: uint32 BE length of the `RequestHeader`,
/// the header, then the request message's bytes.
package enum RequestFrame {
    package static func write(
        header: RequestHeader,
        message: [UInt8],
        into buffer: inout ByteBuffer
    ) throws(MessageCodingError) {
        let headerBytes = try header.serializedBytes()
        buffer.writeInteger(UInt32(headerBytes.count))
        buffer.writeBytes(headerBytes)
        buffer.writeBytes(message)
    }

    /// Splits a payload into its header and the message bytes.
    package static func read(_ payload: ByteBuffer) throws(RPCError) -> (RequestHeader, ByteBuffer) {
        var payload = payload
        guard let length = payload.readInteger(as: UInt32.self),
            let headerBytes = payload.readSlice(length: Int(length))
        else {
            throw RPCError(code: .invalidArgument, message: "request frame is shorter than its header length")
        }
        do {
            let header = try RequestHeader(buffer: headerBytes)
            return (header, payload)
        } catch {
            throw RPCError(code: .invalidArgument, message: "request header does not decode: \(error)")
        }
    }
}
