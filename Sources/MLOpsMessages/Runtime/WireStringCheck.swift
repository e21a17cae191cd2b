internal import CMLOpsProtos
internal import CProtobufC

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// protobuf-c hands strings back NUL-terminated and forgets their length, so
/// `"x\0suffix"` would decode as `"x"` without a word. This walks the encoded
/// bytes, guided by the message's descriptor, and refuses any string field
/// (in nested messages and map entries too) whose bytes hold a zero.
enum WireStringCheck {
    /// Checks `bytes`, which protobuf-c has already decoded as `descriptor`'s message.
    static func check(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    ) throws(MessageCodingError) {
        guard let path = pathToNUL(bytes, descriptor) else { return }
        throw MessageCodingError(code: .embeddedNUL, message: "field \(path.joined(separator: ".")) holds U+0000")
    }

    /// The field names leading to the first string holding a zero byte, if
    /// one does; names are read only then, not for every field of every call.
    private static func pathToNUL(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    ) -> [String]? {
        var reader = WireReader(bytes: bytes)
        while let (number, wireType) = reader.tag() {
            guard wireType == 2 else {
                guard reader.skip(wireType: wireType) else { return nil }
                continue
            }
            guard let payload = reader.lengthDelimited() else { return nil }
            guard let field = protobuf_c_message_descriptor_get_field(descriptor, UInt32(truncatingIfNeeded: number))
            else { continue }
            if field.pointee.type == PROTOBUF_C_TYPE_STRING {
                if let base = payload.baseAddress, memchr(base, 0, payload.count) != nil {
                    return [String(cString: field.pointee.name)]
                }
            } else if field.pointee.type == PROTOBUF_C_TYPE_MESSAGE, let nested = field.pointee.descriptor,
                let path = pathToNUL(payload, nested.assumingMemoryBound(to: ProtobufCMessageDescriptor.self))
            {
                return [String(cString: field.pointee.name)] + path
            }
        }
        return nil
    }
}

/// Reads the protobuf wire format's framing: tags, varints, lengths.
private struct WireReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            guard position < bytes.count else { return nil }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        return nil
    }

    mutating func tag() -> (number: UInt64, wireType: UInt64)? {
        guard position < bytes.count, let tag = varint() else { return nil }
        return (tag >> 3, tag & 7)
    }

    mutating func lengthDelimited() -> UnsafeBufferPointer<UInt8>? {
        guard let length = varint(), length <= UInt64(bytes.count - position) else { return nil }
        let start = position
        position += Int(length)
        return UnsafeBufferPointer(rebasing: bytes[start..<position])
    }

    /// Skips a field that is not length-delimited; false on what proto3 never sends.
    mutating func skip(wireType: UInt64) -> Bool {
        switch wireType {
        case 0: return varint() != nil
        case 1: position += 8
        case 5: position += 4
        default: return false
        }
        return position <= bytes.count
    }
}
