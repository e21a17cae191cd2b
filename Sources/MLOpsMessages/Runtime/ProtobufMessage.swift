/// A message of the `mlops.v1` API, encoded and decoded by protobuf-c.
public protocol ProtobufMessage: Sendable, Hashable {
    /// The fully qualified protobuf name, e.g. `mlops.v1.ModelVersion`.
    static var protoName: String { get }

    /// A message with every field at its default value.
    init()

    /// Decodes protobuf wire bytes.
    /// - Throws: `MessageCodingError` when the bytes are malformed or truncated.
    init(serializedBytes bytes: some Collection<UInt8>) throws(MessageCodingError)

    /// Decodes protobuf wire bytes in place, without copying them; the path
    /// the transport takes.
    init(serializedBytes bytes: UnsafeRawBufferPointer) throws(MessageCodingError)

    /// Encodes to protobuf wire bytes; map entries are written sorted by key, so
    /// equal messages give equal bytes.
    /// - Throws: `MessageCodingError` when a string holds U+0000, which protobuf-c cannot carry.
    func serializedBytes() throws(MessageCodingError) -> [UInt8]

    /// The exact number of bytes `serializedBytes()` returns.
    func serializedSize() throws(MessageCodingError) -> Int
}
