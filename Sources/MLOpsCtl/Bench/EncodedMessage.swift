import MLOpsMessages

/// A message already in wire bytes, sent and received as it is: what
/// `bench call` sends for a method it has no Swift type for.
struct EncodedMessage: ProtobufMessage {
    static let protoName = "(encoded)"

    var bytes: [UInt8]

    init() { bytes = [] }
    init(bytes: [UInt8]) { self.bytes = bytes }
    init(serializedBytes bytes: some Collection<UInt8>) { self.bytes = Array(bytes) }
    init(serializedBytes bytes: UnsafeRawBufferPointer) { self.bytes = Array(bytes) }

    func serializedBytes() -> [UInt8] { bytes }
    func serializedSize() -> Int { bytes.count }
}
