internal import CMLOpsProtos
internal import CProtobufC

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// A Swift message type paired with the protobuf-c struct protoc-c generated
/// for it. The generated conformances convert field by field; encoding and
/// decoding themselves are protobuf-c's.
protocol CMessageConvertible: ProtobufMessage {
    associatedtype CMessage

    /// Sets the struct's descriptor and defaults (protoc-c's `foo__init`).
    static func cInitialize(_ message: UnsafeMutablePointer<CMessage>)
    /// protoc-c's `foo__unpack`: nil when the bytes don't decode.
    static func cUnpack(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<CMessage>?

    /// Reads a decoded struct.
    init(cMessage: UnsafePointer<CMessage>) throws(MessageCodingError)
    /// Writes this message into an initialised struct, allocating in `arena`.
    func fill(_ cMessage: UnsafeMutablePointer<CMessage>, arena: CArena) throws(MessageCodingError)
}

/// Encoding and decoding for every generated message, through protobuf-c.
/// The generated public `ProtobufMessage` witnesses forward here.
enum CCodec {
    static func decode<Message: CMessageConvertible>(
        _: Message.Type,
        from bytes: some Collection<UInt8>
    ) throws(MessageCodingError) -> Message {
        let decoded = bytes.withContiguousStorageIfAvailable { decode(Message.self, from: $0) }
        return try (decoded ?? Array(bytes).withUnsafeBufferPointer { decode(Message.self, from: $0) }).get()
    }

    static func decode<Message: CMessageConvertible>(
        _: Message.Type,
        fromRaw bytes: UnsafeRawBufferPointer
    ) throws(MessageCodingError) -> Message {
        try decode(Message.self, from: bytes.bindMemory(to: UInt8.self)).get()
    }

    private static func decode<Message: CMessageConvertible>(
        _: Message.Type,
        from bytes: UnsafeBufferPointer<UInt8>
    ) -> Result<Message, MessageCodingError> {
        // protobuf-c reads through the pointer even for zero bytes.
        var empty: UInt8 = 0
        let unpacked = withUnsafePointer(to: &empty) { emptyPointer in
            Message.cUnpack(bytes.baseAddress == nil ? UnsafeBufferPointer(start: emptyPointer, count: 0) : bytes)
        }
        guard let unpacked else {
            let error = MessageCodingError(
                code: .malformed,
                message: "\(Message.protoName): \(bytes.count) bytes do not decode"
            )
            return .failure(error)
        }
        let base = UnsafeMutableRawPointer(unpacked).assumingMemoryBound(to: ProtobufCMessage.self)
        defer { protobuf_c_message_free_unpacked(base, nil) }
        return Result { () throws(MessageCodingError) in
            do throws(MessageCodingError) {
                try WireStringCheck.check(bytes, base.pointee.descriptor)
            } catch {
                throw MessageCodingError(code: error.code, message: "\(Message.protoName): \(error.message)")
            }
            return try Message(cMessage: unpacked)
        }
    }

    /// Builds the C struct for `message`, valid only inside `body`.
    private static func withCMessage<Message: CMessageConvertible, Result>(
        _ message: Message,
        _ body: (UnsafePointer<ProtobufCMessage>) -> Result
    ) throws(MessageCodingError) -> Result {
        let arena = CArena()
        let cMessage = try arena.message(message)
        return withExtendedLifetime(arena) {
            UnsafeRawPointer(cMessage).withMemoryRebound(to: ProtobufCMessage.self, capacity: 1) { body($0) }
        }
    }

    static func size(of message: some CMessageConvertible) throws(MessageCodingError) -> Int {
        try withCMessage(message) { protobuf_c_message_get_packed_size($0) }
    }

    static func encode(_ message: some CMessageConvertible) throws(MessageCodingError) -> [UInt8] {
        try withCMessage(message) { cMessage in
            let size = protobuf_c_message_get_packed_size(cMessage)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = protobuf_c_message_pack(cMessage, buffer.baseAddress)
            }
        }
    }
}
