import MLOpsMessages

/// One message field as Swift sees it: its type, default, and the code that
/// reads it from and writes it to the protoc-c struct (named `c`).
struct SwiftField {
    let schema: FieldSchema
    let property: String
    let swiftType: String
    let defaultValue: String
    let readExpression: String
    let writeStatements: [String]

    var parameter: String { property }

    init(_ schema: FieldSchema, naming: SwiftNaming) throws {
        self.schema = schema
        let name = schema.name
        property = SwiftNaming.propertyName(name)
        if schema.isInOneof {
            throw GeneratorError(description: "field \(name): oneof is not supported; use separate fields")
        }
        if schema.label == .optional {
            throw GeneratorError(
                description: "field \(name): use mlops.v1.DoubleValue/Int32Value/StringValue for optional scalars"
            )
        }
        let member = "c.pointee.\(name)"

        if schema.label == .repeated, case .message(let entryName) = schema.kind,
            let entry = naming.mapEntry(entryName)
        {
            let key = try Element(entry.key.kind, field: "\(name).key", naming: naming)
            let value = try Element(entry.value.kind, field: "\(name).value", naming: naming)
            if case .message(let valueType) = entry.value.kind, SwiftNaming.Wrapper(valueType) != nil {
                throw GeneratorError(description: "field \(name): map values cannot be optional scalars")
            }
            let entryCName = naming.message(entryName).cName
            swiftType = "[\(key.swiftType): \(value.swiftType)]"
            defaultValue = "[:]"
            // An entry may leave a message value out: that is the default message.
            let readValue =
                value.isMessage
                ? "try entry.pointee.value.map { value throws(MessageCodingError) in \(value.read("value")) } ?? .init()"
                : value.read("entry.pointee.value")
            readExpression = """
                try CField.map(\(member), count: c.pointee.n_\(name)) { entry throws(MessageCodingError) in \
                (\(key.read("entry.pointee.key")), \(readValue)) }
                """
            writeStatements = [
                "c.pointee.n_\(name) = \(property).count",
                "c.pointee.\(name) = try arena.array(\(property).sorted { $0.key < $1.key }) { element throws(MessageCodingError) in",
                "    let entry = arena.cStruct(\(entryCName).self, \(SwiftNaming.cFunctionPrefix(entryCName))__init)",
                "    entry.pointee.key = \(key.write("element.key"))",
                "    entry.pointee.value = \(value.write("element.value"))",
                "    return Optional(entry)",
                "}",
            ]
            return
        }

        let element = try Element(schema.kind, field: name, naming: naming)
        switch schema.label {
        case .repeated:
            swiftType = "[\(element.swiftType)]"
            defaultValue = "[]"
            if element.isPlain {
                readExpression = "CField.array(\(member), count: c.pointee.n_\(name))"
                writeStatements = [
                    "c.pointee.n_\(name) = \(property).count",
                    "c.pointee.\(name) = arena.array(\(property))",
                ]
            } else {
                let read = element.read(element.isMessage ? "element!" : "element")
                let write = element.isPointer ? "Optional(\(element.write("element")))" : element.write("element")
                readExpression = """
                    try CField.array(\(member), count: c.pointee.n_\(name)) { element throws(MessageCodingError) in \(read) }
                    """
                writeStatements = [
                    "c.pointee.n_\(name) = \(property).count",
                    "c.pointee.\(name) = try arena.array(\(property)) { element throws(MessageCodingError) in \(write) }",
                ]
            }
        case .singular, .optional:
            if element.isMessage {
                swiftType = element.swiftType + "?"
                defaultValue = "nil"
                readExpression = """
                    try \(member).map { element throws(MessageCodingError) in \(element.read("element")) }
                    """
                writeStatements = [
                    "c.pointee.\(name) = try \(property).map { element throws(MessageCodingError) in \(element.write("element")) }"
                ]
            } else {
                swiftType = element.swiftType
                defaultValue = element.defaultValue
                readExpression = element.read(member)
                writeStatements = ["c.pointee.\(name) = \(element.write(property))"]
            }
        }
    }
}

/// A single value of a field (one element of a repeated field).
private struct Element {
    let swiftType: String
    let defaultValue: String
    /// Copied as is between Swift and C (numbers).
    let isPlain: Bool
    /// Held by pointer in C: a message, or a wrapper shown as an optional scalar.
    let isMessage: Bool
    /// A nullable pointer in C arrays: messages and strings.
    var isPointer: Bool { isMessage || swiftType == "String" }
    let read: (String) -> String
    let write: (String) -> String

    init(_ kind: FieldSchema.Kind, field: String, naming: SwiftNaming) throws {
        isMessage = if case .message = kind { true } else { false }
        isPlain = Self.plainType(kind) != nil
        if let plain = Self.plainType(kind) {
            swiftType = plain
            defaultValue = "0"
            read = { $0 }
            write = { $0 }
            return
        }
        switch kind {
        case .bool:
            swiftType = "Bool"
            defaultValue = "false"
            read = { "\($0) != 0" }
            write = { "\($0) ? 1 : 0" }
        case .string:
            swiftType = "String"
            defaultValue = "\"\""
            read = { "try CField.string(\($0), field: \"\(field)\")" }
            write = { "try arena.cString(\($0), field: \"\(field)\")" }
        case .bytes:
            swiftType = "[UInt8]"
            defaultValue = "[]"
            read = { "CField.bytes(\($0))" }
            write = { "arena.binaryData(\($0))" }
        case .enumeration(let fullName):
            let enumeration = naming.enumeration(fullName)
            let typeName = SwiftNaming.typeName(fullName)
            swiftType = typeName
            defaultValue = ".\(SwiftNaming.caseName(enumeration.values[0].name, enumTypeName: typeName))"
            read = { "\(typeName)(rawValue: Int32(truncatingIfNeeded: \($0).rawValue))" }
            write = { "\(enumeration.cName)(rawValue: .init(truncatingIfNeeded: \($0).rawValue))" }
        case .message(let fullName):
            let typeName = SwiftNaming.typeName(fullName)
            defaultValue = "nil"
            if let wrapper = SwiftNaming.Wrapper(fullName) {
                swiftType = wrapper.swiftType
                read = { "try \(typeName)(cMessage: \($0)).value" }
                write = { "try arena.message(\(typeName)(value: \($0)))" }
            } else {
                swiftType = typeName
                read = { "try \(typeName)(cMessage: \($0))" }
                write = { "try arena.message(\($0))" }
            }
        default:
            throw GeneratorError(description: "field \(field): unexpected kind \(kind)")
        }
    }

    private static func plainType(_ kind: FieldSchema.Kind) -> String? {
        switch kind {
        case .int32, .sint32, .sfixed32: "Int32"
        case .int64, .sint64, .sfixed64: "Int64"
        case .uint32, .fixed32: "UInt32"
        case .uint64, .fixed64: "UInt64"
        case .float: "Float"
        case .double: "Double"
        default: nil
        }
    }
}
