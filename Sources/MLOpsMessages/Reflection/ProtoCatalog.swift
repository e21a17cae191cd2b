internal import CMLOpsProtos
internal import CProtobufC

/// The `protos/` API as protoc-c compiled it, read from its descriptors. The
/// message generator walks this to write the Swift types, so they cannot drift
/// from the C structs they convert to.
package enum ProtoCatalog {
    package static var files: [ProtoFileSchema] {
        var count = 0
        guard let files = mlops_proto_files(&count) else { return [] }
        return (0..<count).map { ProtoFileSchema(files[$0]) }
    }

    /// The method at `/mlops.v1.Service/Method` (the leading slash optional), and its service.
    package static func method(path: String) -> (service: ServiceSchema, method: ServiceSchema.Method)? {
        let parts = path.drop { $0 == "/" }.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        for service in files.flatMap(\.services) where service.fullName == parts[0] {
            if let method = service.methods.first(where: { $0.name == parts[1] }) { return (service, method) }
        }
        return nil
    }
}

package struct ProtoFileSchema: Sendable {
    /// Path under protos/, e.g. `mlops/v1/registry.proto`.
    package var path: String
    package var messages: [MessageSchema]
    package var enums: [EnumSchema]
    package var services: [ServiceSchema]

    init(_ file: MLOpsProtoFile) {
        path = String(cString: file.path)
        messages = (0..<file.n_messages).map { MessageSchema(file.messages[$0]!) }
        enums = (0..<file.n_enums).map { EnumSchema(file.enums[$0]!) }
        let streaming = Set((0..<file.n_streaming_methods).map { String(cString: file.streaming_methods[$0]!) })
        services = (0..<file.n_services).map { ServiceSchema(file.services[$0]!, streaming: streaming) }
    }
}

package struct MessageSchema: Sendable {
    /// `mlops.v1.ModelVersion`.
    package var fullName: String
    /// `Mlops__V1__ModelVersion`.
    package var cName: String
    package var fields: [FieldSchema]

    package init(fullName: String, cName: String, fields: [FieldSchema]) {
        self.fullName = fullName
        self.cName = cName
        self.fields = fields
    }

    init(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        let message = descriptor.pointee
        fullName = String(cString: message.name)
        cName = String(cString: message.c_name)
        fields = (0..<Int(message.n_fields)).map { FieldSchema(message.fields[$0]) }
    }

    /// The key and value of a message protoc wrote for a `map<K, V>` field
    /// (nested, named `…Entry`, fields `key` and `value`); nil for any other.
    package var mapEntryFields: (key: FieldSchema, value: FieldSchema)? {
        guard fullName.split(separator: ".").count > 3, fullName.hasSuffix("Entry"), fields.count == 2,
            fields[0].name == "key", fields[1].name == "value"
        else { return nil }
        return (fields[0], fields[1])
    }

    /// One scalar field named `value`: laid out as google.protobuf's wrappers are.
    package var isWrapper: Bool {
        fields.count == 1 && fields[0].name == "value" && fields[0].label != .repeated
            && { if case .message = fields[0].kind { false } else { true } }()
    }
}

package struct FieldSchema: Sendable {
    package enum Label: Sendable { case singular, optional, repeated }
    package enum Kind: Sendable, Equatable {
        case int32, sint32, sfixed32, int64, sint64, sfixed64
        case uint32, fixed32, uint64, fixed64
        case float, double, bool, string, bytes
        case enumeration(fullName: String)
        case message(fullName: String)
    }

    package var name: String
    /// The name in protobuf's JSON mapping: `max_results` → `maxResults`.
    package var jsonName: String
    package var number: UInt32
    package var label: Label
    package var kind: Kind
    package var isInOneof: Bool

    package init(name: String, number: UInt32, label: Label, kind: Kind) {
        self.name = name
        self.jsonName = Self.lowerCamelCase(name)
        self.number = number
        self.label = label
        self.kind = kind
        self.isInOneof = false
    }

    init(_ field: ProtobufCFieldDescriptor) {
        name = String(cString: field.name)
        jsonName = Self.lowerCamelCase(name)
        number = field.id
        switch field.label {
        case PROTOBUF_C_LABEL_REPEATED: label = .repeated
        case PROTOBUF_C_LABEL_OPTIONAL, PROTOBUF_C_LABEL_REQUIRED: label = .optional
        default: label = .singular
        }
        isInOneof = field.flags & PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue != 0
        switch field.type {
        case PROTOBUF_C_TYPE_INT32: kind = .int32
        case PROTOBUF_C_TYPE_SINT32: kind = .sint32
        case PROTOBUF_C_TYPE_SFIXED32: kind = .sfixed32
        case PROTOBUF_C_TYPE_INT64: kind = .int64
        case PROTOBUF_C_TYPE_SINT64: kind = .sint64
        case PROTOBUF_C_TYPE_SFIXED64: kind = .sfixed64
        case PROTOBUF_C_TYPE_UINT32: kind = .uint32
        case PROTOBUF_C_TYPE_FIXED32: kind = .fixed32
        case PROTOBUF_C_TYPE_UINT64: kind = .uint64
        case PROTOBUF_C_TYPE_FIXED64: kind = .fixed64
        case PROTOBUF_C_TYPE_FLOAT: kind = .float
        case PROTOBUF_C_TYPE_DOUBLE: kind = .double
        case PROTOBUF_C_TYPE_BOOL: kind = .bool
        case PROTOBUF_C_TYPE_STRING: kind = .string
        case PROTOBUF_C_TYPE_BYTES: kind = .bytes
        case PROTOBUF_C_TYPE_ENUM:
            let descriptor = field.descriptor.assumingMemoryBound(to: ProtobufCEnumDescriptor.self)
            kind = .enumeration(fullName: String(cString: descriptor.pointee.name))
        default:
            let descriptor = field.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
            kind = .message(fullName: String(cString: descriptor.pointee.name))
        }
    }
}

extension FieldSchema {
    /// protoc's ToJsonName: each underscore dropped and the letter after it capitalised.
    private static func lowerCamelCase(_ name: String) -> String {
        var result = ""
        var capitalizeNext = false
        for character in name {
            if character == "_" {
                capitalizeNext = true
            } else {
                result += capitalizeNext ? character.uppercased() : String(character)
                capitalizeNext = false
            }
        }
        return result
    }
}

package struct EnumSchema: Sendable {
    package struct Value: Sendable {
        /// `SERVING_STATUS_NOT_SERVING`.
        package var name: String
        package var number: Int32
    }

    package var fullName: String
    package var cName: String
    package var values: [Value]

    init(_ descriptor: UnsafePointer<ProtobufCEnumDescriptor>) {
        let enumeration = descriptor.pointee
        fullName = String(cString: enumeration.name)
        cName = String(cString: enumeration.c_name)
        values = (0..<Int(enumeration.n_values)).map {
            Value(name: String(cString: enumeration.values[$0].name), number: enumeration.values[$0].value)
        }
    }
}

package struct ServiceSchema: Sendable {
    package struct Method: Sendable {
        package var name: String
        package var inputFullName: String
        package var outputFullName: String
        package var isServerStreaming: Bool
    }

    /// `mlops.v1.ModelRegistry`.
    package var fullName: String
    package var methods: [Method]

    init(_ descriptor: UnsafePointer<ProtobufCServiceDescriptor>, streaming: Set<String>) {
        let service = descriptor.pointee
        let fullName = String(cString: service.name)
        self.fullName = fullName
        methods = (0..<Int(service.n_methods)).map {
            let method = service.methods[$0]
            let name = String(cString: method.name)
            return Method(
                name: name,
                inputFullName: String(cString: method.input.pointee.name),
                outputFullName: String(cString: method.output.pointee.name),
                isServerStreaming: streaming.contains("\(fullName)/\(name)")
            )
        }
    }
}
