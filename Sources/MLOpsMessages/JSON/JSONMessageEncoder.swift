internal import Foundation

/// Protobuf's JSON mapping (proto3's), read into wire bytes with the
/// descriptors protoc-c compiled: a request written by hand, for any method.
///
/// Members are named as in the .proto file or in lowerCamelCase; 64-bit
/// integers may be strings, floating-point numbers "NaN" and "±Infinity",
/// bytes base64 (either alphabet), enums names or numbers, maps objects, and
/// `null` leaves a member out. A `mlops.v1.DoubleValue`, `Int32Value` or
/// `StringValue` may be given as its bare value, as google.protobuf's wrappers
/// are. Unknown members are refused, so a misspelt name is not silently lost.
package struct JSONMessageEncoder: Sendable {
    private let messages: [String: MessageSchema]
    private let enums: [String: EnumSchema]

    /// Over the API compiled in.
    package init() {
        let files = ProtoCatalog.files
        self.init(messages: files.flatMap(\.messages), enums: files.flatMap(\.enums))
    }

    package init(messages: [MessageSchema], enums: [EnumSchema]) {
        self.messages = Dictionary(messages.map { ($0.fullName, $0) }, uniquingKeysWith: { first, _ in first })
        self.enums = Dictionary(enums.map { ($0.fullName, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The wire bytes of `json` read as the message `fullName` (`mlops.v1.GetLatestVersionsRequest`).
    package func encode(_ json: String, as fullName: String) throws(JSONMappingError) -> [UInt8] {
        guard let schema = messages[fullName] else { throw JSONMappingError(at: "", "no message \(fullName)") }
        return try message(schema, from: try JSONDocument.parse(Data(json.utf8)), at: "")
    }

    private func message(_ schema: MessageSchema, from value: JSONDocument, at path: String)
        throws(JSONMappingError) -> [UInt8]
    {
        guard case .object(let members) = value else {
            if schema.isWrapper, value != .null {
                return try message(schema, from: .object(["value": value]), at: path)
            }
            throw JSONMappingError(at: path, "expected an object (\(schema.fullName)), got \(value.kind)")
        }
        var given: [(field: FieldSchema, value: JSONDocument)] = []
        for (name, member) in members {
            guard let field = schema.fields.first(where: { $0.name == name || $0.jsonName == name }) else {
                let known = schema.fields.map(\.jsonName).joined(separator: ", ")
                throw JSONMappingError(at: join(path, name), "no such field in \(schema.fullName) (it has: \(known))")
            }
            guard !given.contains(where: { $0.field.number == field.number }) else {
                throw JSONMappingError(at: join(path, name), "given twice (as \(field.name) and \(field.jsonName))")
            }
            given.append((field, member))
        }
        var writer = WireWriter()
        for (field, member) in given.sorted(by: { $0.field.number < $1.field.number }) where member != .null {
            try write(field, member, into: &writer, at: join(path, field.jsonName))
        }
        return writer.bytes
    }

    private func write(_ field: FieldSchema, _ value: JSONDocument, into writer: inout WireWriter, at path: String)
        throws(JSONMappingError)
    {
        guard field.label == .repeated else {
            try single(field, value, into: &writer, at: path, keepingDefault: field.label == .optional)
            return
        }
        if case .message(let name) = field.kind, let entry = messages[name]?.mapEntryFields {
            guard case .object(let pairs) = value else {
                throw JSONMappingError(at: path, "expected an object (a map), got \(value.kind)")
            }
            for (key, item) in pairs.sorted(by: { $0.key < $1.key }) {
                var pair = WireWriter()
                try single(
                    entry.key,
                    mapKey(key, entry.key.kind, at: path),
                    into: &pair,
                    at: path,
                    keepingDefault: true
                )
                try single(entry.value, item, into: &pair, at: "\(path).\(key)", keepingDefault: true)
                writer.tag(field.number, .lengthDelimited)
                writer.delimited(pair.bytes)
            }
            return
        }
        guard case .array(let items) = value else {
            throw JSONMappingError(at: path, "expected an array, got \(value.kind)")
        }
        if field.kind.isPackable {
            var packed = WireWriter()
            for (index, item) in items.enumerated() {
                try scalar(field.kind, item, at: "\(path)[\(index)]").write(into: &packed)
            }
            guard !items.isEmpty else { return }
            writer.tag(field.number, .lengthDelimited)
            writer.delimited(packed.bytes)
        } else {
            for (index, item) in items.enumerated() {
                try single(field, item, into: &writer, at: "\(path)[\(index)]", keepingDefault: true)
            }
        }
    }

    /// One value of `field`; a proto3 scalar at its default is left out, as protobuf writes it.
    private func single(
        _ field: FieldSchema,
        _ value: JSONDocument,
        into writer: inout WireWriter,
        at path: String,
        keepingDefault: Bool
    ) throws(JSONMappingError) {
        if case .message(let name) = field.kind {
            guard let schema = messages[name] else { throw JSONMappingError(at: path, "no message \(name)") }
            if value == .null, !keepingDefault { return }
            writer.tag(field.number, .lengthDelimited)
            writer.delimited(value == .null ? [] : try message(schema, from: value, at: path))
            return
        }
        if value == .null { return }
        let wire = try scalar(field.kind, value, at: path)
        guard keepingDefault || !wire.isDefault else { return }
        writer.tag(field.number, wire.type)
        wire.write(into: &writer)
    }

    private func scalar(_ kind: FieldSchema.Kind, _ value: JSONDocument, at path: String)
        throws(JSONMappingError) -> ScalarWire
    {
        switch kind {
        case .int32: return .varint(UInt64(bitPattern: Int64(try integer(value, Int32.self, at: path))))
        case .sint32: return .varint(UInt64(UInt32(bitPattern: try integer(value, Int32.self, at: path).zigZag)))
        case .sfixed32: return .fixed32(UInt32(bitPattern: try integer(value, Int32.self, at: path)))
        case .int64: return .varint(UInt64(bitPattern: try integer(value, Int64.self, at: path)))
        case .sint64: return .varint(UInt64(bitPattern: try integer(value, Int64.self, at: path).zigZag))
        case .sfixed64: return .fixed64(UInt64(bitPattern: try integer(value, Int64.self, at: path)))
        case .uint32: return .varint(UInt64(try integer(value, UInt32.self, at: path)))
        case .fixed32: return .fixed32(try integer(value, UInt32.self, at: path))
        case .uint64: return .varint(try integer(value, UInt64.self, at: path))
        case .fixed64: return .fixed64(try integer(value, UInt64.self, at: path))
        case .float:
            let number = try floatingPoint(value, at: path)
            // Rounded to the nearest float first: "3.4028235e+38", as float32 is written, is in range.
            guard !number.isFinite || Float(number).isFinite else {
                throw JSONMappingError(at: path, "\(number) is out of range for a float")
            }
            return .fixed32(Float(number).bitPattern)
        case .double: return .fixed64(try floatingPoint(value, at: path).bitPattern)
        case .bool:
            guard case .bool(let flag) = value else { throw JSONMappingError(at: path, "expected true or false") }
            return .varint(flag ? 1 : 0)
        case .string:
            guard case .string(let text) = value else {
                throw JSONMappingError(at: path, "expected a string, got \(value.kind)")
            }
            return .delimited(Array(text.utf8))
        case .bytes:
            guard case .string(let text) = value, let data = Self.base64(text) else {
                throw JSONMappingError(at: path, "expected base64 text (bytes)")
            }
            return .delimited(Array(data))
        case .enumeration(let name):
            if case .string(let text) = value {
                guard let number = enums[name]?.values.first(where: { $0.name == text })?.number else {
                    let known = enums[name]?.values.map(\.name).joined(separator: ", ") ?? ""
                    throw JSONMappingError(at: path, "\"\(text)\" is not a value of \(name) (\(known))")
                }
                return .varint(UInt64(bitPattern: Int64(number)))
            }
            return .varint(UInt64(bitPattern: Int64(try integer(value, Int32.self, at: path))))
        case .message(let name):
            throw JSONMappingError(at: path, "\(name) is not a scalar")
        }
    }

    /// A JSON number, or a string holding one, that is a whole number in `Integer`'s range.
    private func integer<Integer: FixedWidthInteger>(_ value: JSONDocument, _: Integer.Type, at path: String)
        throws(JSONMappingError) -> Integer
    {
        let exact: Integer? =
            switch value {
            case .integer(let number): Integer(exactly: number)
            case .unsigned(let number): Integer(exactly: number)
            case .number(let number): Integer(exactly: number)
            case .string(let text): Integer(text) ?? Double(text).flatMap { Integer(exactly: $0) }
            default: nil
            }
        guard let exact else {
            throw JSONMappingError(at: path, "expected a whole number from \(Integer.min) to \(Integer.max)")
        }
        return exact
    }

    private func floatingPoint(_ value: JSONDocument, at path: String) throws(JSONMappingError) -> Double {
        switch value {
        case .integer(let number): return Double(number)
        case .unsigned(let number): return Double(number)
        case .number(let number): return number
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .string(let text) where Double(text)?.isFinite == true: return Double(text)!
        default: throw JSONMappingError(at: path, "expected a number, \"NaN\" or \"Infinity\", got \(value.kind)")
        }
    }

    /// A map's key, always a JSON string, as the key field's value.
    private func mapKey(_ key: String, _ kind: FieldSchema.Kind, at path: String) throws(JSONMappingError)
        -> JSONDocument
    {
        switch kind {
        case .string: return .string(key)
        case .bool where key == "true" || key == "false": return .bool(key == "true")
        case .bool: throw JSONMappingError(at: path, "a map key \"\(key)\" is not true or false")
        default: return .string(key)  // integers: read from the string as 64-bit values are
        }
    }

    private func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// Standard or URL-safe base64, padded or not.
    private static func base64(_ text: String) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: standard)
    }
}

/// One scalar's wire encoding.
private enum ScalarWire {
    case varint(UInt64)
    case fixed32(UInt32)
    case fixed64(UInt64)
    case delimited([UInt8])

    var type: WireWriter.WireType {
        switch self {
        case .varint: .varint
        case .fixed32: .fixed32
        case .fixed64: .fixed64
        case .delimited: .lengthDelimited
        }
    }

    /// Zero, false or empty: what proto3 leaves off the wire.
    var isDefault: Bool {
        switch self {
        case .varint(let value): value == 0
        case .fixed32(let value): value == 0
        case .fixed64(let value): value == 0
        case .delimited(let bytes): bytes.isEmpty
        }
    }

    func write(into writer: inout WireWriter) {
        switch self {
        case .varint(let value): writer.varint(value)
        case .fixed32(let value): writer.fixed32(value)
        case .fixed64(let value): writer.fixed64(value)
        case .delimited(let bytes): writer.delimited(bytes)
        }
    }
}

extension FixedWidthInteger where Self: SignedInteger {
    /// Protobuf's sint encoding: small magnitudes, either sign, stay small.
    fileprivate var zigZag: Self { (self << 1) ^ (self >> (Self.bitWidth - 1)) }
}

extension FieldSchema.Kind {
    /// Numbers, booleans and enums: a repeated field of them is written packed.
    fileprivate var isPackable: Bool {
        switch self {
        case .string, .bytes, .message: false
        default: true
        }
    }
}
