internal import CMLOpsProtos
internal import CProtobufC

/// Reads the fields of a decoded protobuf-c struct into Swift values.
enum CField {
    static func string(_ pointer: UnsafePointer<CChar>?, field: StaticString) throws(MessageCodingError) -> String {
        guard let pointer else { return "" }
        guard let string = String(validatingCString: pointer) else {
            throw MessageCodingError(code: .invalidUTF8, message: "field \(field) is not valid UTF-8")
        }
        return string
    }

    static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard let base = data.data, data.len > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: base, count: data.len))
    }

    static func array<Element>(_ pointer: UnsafePointer<Element>?, count: Int) -> [Element] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    static func array<CElement, Element>(
        _ pointer: UnsafePointer<CElement>?,
        count: Int,
        _ convert: (CElement) throws(MessageCodingError) -> Element
    ) throws(MessageCodingError) -> [Element] {
        guard let pointer, count > 0 else { return [] }
        var result: [Element] = []
        result.reserveCapacity(count)
        for index in 0..<count { result.append(try convert(pointer[index])) }
        return result
    }

    static func map<CEntry, Key: Hashable, Value>(
        _ pointer: UnsafePointer<UnsafeMutablePointer<CEntry>?>?,
        count: Int,
        _ convert: (UnsafePointer<CEntry>) throws(MessageCodingError) -> (Key, Value)
    ) throws(MessageCodingError) -> [Key: Value] {
        guard let pointer, count > 0 else { return [:] }
        var result: [Key: Value] = [:]
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let entry = pointer[index] else { continue }
            let (key, value) = try convert(entry)
            // As every protobuf implementation: the last entry for a key wins.
            result[key] = value
        }
        return result
    }
}
