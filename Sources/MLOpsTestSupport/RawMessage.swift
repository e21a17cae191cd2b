package import MLOpsMessages

/// Bytes sent as a request just as they are: what a hand-written client in
/// another language may send, and our own encoder refuses to (a string
/// holding U+0000, say).
package struct RawMessage: ProtobufMessage {
    package static let protoName = "raw bytes"
    package var bytes: [UInt8]

    package init() { bytes = [] }
    package init(_ bytes: [UInt8]) { self.bytes = bytes }
    package init(serializedBytes bytes: some Collection<UInt8>) { self.bytes = Array(bytes) }
    package init(serializedBytes bytes: UnsafeRawBufferPointer) { self.bytes = Array(bytes) }
    package func serializedBytes() -> [UInt8] { bytes }
    package func serializedSize() -> Int { bytes.count }
}

extension RPCMethod {
    /// The same method, its request sent as raw bytes.
    package var sendingRawBytes: RPCMethod<RawMessage, Response> {
        let parts = path.split(separator: "/")
        return RPCMethod<RawMessage, Response>(
            service: String(parts[0]),
            method: String(parts[1]),
            isServerStreaming: isServerStreaming
        )
    }
}
