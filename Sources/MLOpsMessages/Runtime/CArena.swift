internal import CMLOpsProtos
internal import CProtobufC

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// Owns the C memory behind a protobuf-c struct being built for encoding, and
/// frees all of it at once when the encoding is done.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    init() {}

    deinit {
        for pointer in allocations { free(pointer) }
    }

    private func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        // malloc(0) may return nil; one byte keeps every pointer valid.
        guard let pointer = malloc(max(byteCount, 1)) else { fatalError("out of memory") }
        allocations.append(pointer)
        return pointer
    }

    /// A NUL-terminated copy of `string`.
    func cString(_ string: String, field: StaticString) throws(MessageCodingError) -> UnsafeMutablePointer<CChar> {
        let count = string.utf8.count
        let bytes = allocate(byteCount: count + 1).bindMemory(to: UInt8.self, capacity: count + 1)
        _ = UnsafeMutableBufferPointer(start: bytes, count: count).initialize(from: string.utf8)
        bytes[count] = 0
        if memchr(bytes, 0, count) != nil {
            throw MessageCodingError(code: .embeddedNUL, message: "field \(field) holds U+0000")
        }
        return UnsafeMutableRawPointer(bytes).assumingMemoryBound(to: CChar.self)
    }

    /// A copy of `bytes` as protobuf-c's `bytes` value.
    func binaryData(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        let pointer = allocate(byteCount: bytes.count).bindMemory(to: UInt8.self, capacity: bytes.count)
        bytes.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { pointer.update(from: base, count: bytes.count) }
        }
        return ProtobufCBinaryData(len: bytes.count, data: pointer)
    }

    /// A C array holding `values` converted by `convert`.
    func array<Element, CElement>(
        _ values: [Element],
        _ convert: (Element) throws(MessageCodingError) -> CElement
    ) throws(MessageCodingError) -> UnsafeMutablePointer<CElement>? {
        guard !values.isEmpty else { return nil }
        let pointer = allocate(byteCount: MemoryLayout<CElement>.stride * values.count)
            .bindMemory(to: CElement.self, capacity: values.count)
        for (index, value) in values.enumerated() {
            (pointer + index).initialize(to: try convert(value))
        }
        return pointer
    }

    /// A C array holding `values` as they are.
    func array<Element>(_ values: [Element]) -> UnsafeMutablePointer<Element>? {
        guard !values.isEmpty else { return nil }
        let pointer = allocate(byteCount: MemoryLayout<Element>.stride * values.count)
            .bindMemory(to: Element.self, capacity: values.count)
        values.withUnsafeBufferPointer { buffer in
            pointer.initialize(from: buffer.baseAddress!, count: values.count)
        }
        return pointer
    }

    /// An initialised C struct living as long as the arena.
    func cStruct<T>(_: T.Type, _ initialize: (UnsafeMutablePointer<T>) -> Void) -> UnsafeMutablePointer<T> {
        let pointer = allocate(byteCount: MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: 1)
        initialize(pointer)
        return pointer
    }

    /// A protobuf-c struct for `message`, living as long as the arena.
    func message<Message: CMessageConvertible>(
        _ message: Message
    ) throws(MessageCodingError) -> UnsafeMutablePointer<Message.CMessage> {
        let pointer = cStruct(Message.CMessage.self, Message.cInitialize)
        try message.fill(pointer, arena: self)
        return pointer
    }
}
