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

    init(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        let message = descriptor.pointee
        fullName = String(cString: message.name)
        cName = String(cString: message.c_name)
        fields = (0..<Int(message.n_fields)).map { FieldSchema(message.fields[$0]) }
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
    package var number: UInt32
    package var label: Label
    package var kind: Kind
    package var isInOneof: Bool

    init(_ field: ProtobufCFieldDescriptor) {
        name = String(cString: field.name)
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
