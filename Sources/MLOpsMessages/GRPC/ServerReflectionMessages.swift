internal import CMLOpsProtos
internal import CProtobufC

// gRPC's `grpc.reflection.v1` messages over the structs protoc-c made from
// protos/grpc/reflection/v1/reflection.proto. Written by hand because their
// fields are oneofs, which the message generator does not do; v1alpha has the
// same fields under the same numbers, so these serve both.

/// `grpc.reflection.v1.ServerReflectionRequest`.
public struct ServerReflectionRequest: ProtobufMessage {
    public static let protoName = "grpc.reflection.v1.ServerReflectionRequest"

    /// What the caller asks; nil when it set nothing.
    public enum Question: Sendable, Hashable {
        case fileByFilename(String)
        case fileContainingSymbol(String)
        case fileContainingExtension(containingType: String, number: Int32)
        case allExtensionNumbersOfType(String)
        case listServices(String)
    }

    public var host = ""
    public var question: Question?

    public init() {}

    public init(host: String = "", question: Question?) {
        self.host = host
        self.question = question
    }

    public init(serializedBytes bytes: some Collection<UInt8>) throws(MessageCodingError) {
        self = try CCodec.decode(Self.self, from: bytes)
    }

    public init(serializedBytes bytes: UnsafeRawBufferPointer) throws(MessageCodingError) {
        self = try CCodec.decode(Self.self, fromRaw: bytes)
    }

    public func serializedBytes() throws(MessageCodingError) -> [UInt8] {
        try CCodec.encode(self)
    }

    public func serializedSize() throws(MessageCodingError) -> Int {
        try CCodec.size(of: self)
    }
}

extension ServerReflectionRequest: CMessageConvertible {
    typealias CMessage = Grpc__Reflection__V1__ServerReflectionRequest

    static func cInitialize(_ message: UnsafeMutablePointer<CMessage>) {
        grpc__reflection__v1__server_reflection_request__init(message)
    }

    static func cUnpack(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<CMessage>? {
        grpc__reflection__v1__server_reflection_request__unpack(nil, bytes.count, bytes.baseAddress)
    }

    init(cMessage c: UnsafePointer<CMessage>) throws(MessageCodingError) {
        let message = c.pointee
        host = try CField.string(message.host, field: "host")
        switch message.message_request_case {
        case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME:
            question = .fileByFilename(try CField.string(message.file_by_filename, field: "file_by_filename"))
        case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL:
            question = .fileContainingSymbol(
                try CField.string(message.file_containing_symbol, field: "file_containing_symbol")
            )
        case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_EXTENSION:
            let extensionRequest = message.file_containing_extension?.pointee
            question = .fileContainingExtension(
                containingType: try CField.string(extensionRequest?.containing_type, field: "containing_type"),
                number: extensionRequest?.extension_number ?? 0
            )
        case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_ALL_EXTENSION_NUMBERS_OF_TYPE:
            question = .allExtensionNumbersOfType(
                try CField.string(message.all_extension_numbers_of_type, field: "all_extension_numbers_of_type")
            )
        case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES:
            question = .listServices(try CField.string(message.list_services, field: "list_services"))
        default:
            question = nil
        }
    }

    func fill(_ c: UnsafeMutablePointer<CMessage>, arena: CArena) throws(MessageCodingError) {
        c.pointee.host = try arena.cString(host, field: "host")
        switch question {
        case nil:
            break
        case .fileByFilename(let name):
            c.pointee.message_request_case =
                GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME
            c.pointee.file_by_filename = try arena.cString(name, field: "file_by_filename")
        case .fileContainingSymbol(let symbol):
            c.pointee.message_request_case =
                GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL
            c.pointee.file_containing_symbol = try arena.cString(symbol, field: "file_containing_symbol")
        case .fileContainingExtension(let containingType, let number):
            c.pointee.message_request_case =
                GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_EXTENSION
            let extensionRequest = arena.cStruct(
                Grpc__Reflection__V1__ExtensionRequest.self,
                grpc__reflection__v1__extension_request__init
            )
            extensionRequest.pointee.containing_type = try arena.cString(containingType, field: "containing_type")
            extensionRequest.pointee.extension_number = number
            c.pointee.file_containing_extension = extensionRequest
        case .allExtensionNumbersOfType(let type):
            c.pointee.message_request_case =
                GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_ALL_EXTENSION_NUMBERS_OF_TYPE
            c.pointee.all_extension_numbers_of_type = try arena.cString(type, field: "all_extension_numbers_of_type")
        case .listServices(let value):
            c.pointee.message_request_case =
                GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES
            c.pointee.list_services = try arena.cString(value, field: "list_services")
        }
    }
}

/// `grpc.reflection.v1.ServerReflectionResponse`.
public struct ServerReflectionResponse: ProtobufMessage {
    public static let protoName = "grpc.reflection.v1.ServerReflectionResponse"

    public enum Answer: Sendable, Hashable {
        /// Encoded `google.protobuf.FileDescriptorProto`s.
        case fileDescriptors([[UInt8]])
        case extensionNumbers(baseTypeName: String, numbers: [Int32])
        case services([String])
        case error(code: Int32, message: String)
    }

    public var validHost = ""
    public var originalRequest: ServerReflectionRequest?
    public var answer: Answer?

    public init() {}

    public init(validHost: String = "", originalRequest: ServerReflectionRequest?, answer: Answer?) {
        self.validHost = validHost
        self.originalRequest = originalRequest
        self.answer = answer
    }

    public init(serializedBytes bytes: some Collection<UInt8>) throws(MessageCodingError) {
        self = try CCodec.decode(Self.self, from: bytes)
    }

    public init(serializedBytes bytes: UnsafeRawBufferPointer) throws(MessageCodingError) {
        self = try CCodec.decode(Self.self, fromRaw: bytes)
    }

    public func serializedBytes() throws(MessageCodingError) -> [UInt8] {
        try CCodec.encode(self)
    }

    public func serializedSize() throws(MessageCodingError) -> Int {
        try CCodec.size(of: self)
    }
}

extension ServerReflectionResponse: CMessageConvertible {
    typealias CMessage = Grpc__Reflection__V1__ServerReflectionResponse

    static func cInitialize(_ message: UnsafeMutablePointer<CMessage>) {
        grpc__reflection__v1__server_reflection_response__init(message)
    }

    static func cUnpack(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<CMessage>? {
        grpc__reflection__v1__server_reflection_response__unpack(nil, bytes.count, bytes.baseAddress)
    }

    init(cMessage c: UnsafePointer<CMessage>) throws(MessageCodingError) {
        let message = c.pointee
        validHost = try CField.string(message.valid_host, field: "valid_host")
        originalRequest = try message.original_request.map { request throws(MessageCodingError) in
            try ServerReflectionRequest(cMessage: request)
        }
        switch message.message_response_case {
        case GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE:
            let files = message.file_descriptor_response?.pointee
            answer = .fileDescriptors(
                CField.array(files?.file_descriptor_proto, count: files?.n_file_descriptor_proto ?? 0).map(
                    CField.bytes
                )
            )
        case GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ALL_EXTENSION_NUMBERS_RESPONSE:
            let numbers = message.all_extension_numbers_response?.pointee
            answer = .extensionNumbers(
                baseTypeName: try CField.string(numbers?.base_type_name, field: "base_type_name"),
                numbers: CField.array(numbers?.extension_number, count: numbers?.n_extension_number ?? 0)
            )
        case GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE:
            let list = message.list_services_response?.pointee
            answer = .services(
                try CField.array(list?.service, count: list?.n_service ?? 0) { service throws(MessageCodingError) in
                    try CField.string(service?.pointee.name, field: "name")
                }
            )
        case GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE:
            let error = message.error_response?.pointee
            answer = .error(
                code: error?.error_code ?? 0,
                message: try CField.string(error?.error_message, field: "error_message")
            )
        default:
            answer = nil
        }
    }

    func fill(_ c: UnsafeMutablePointer<CMessage>, arena: CArena) throws(MessageCodingError) {
        c.pointee.valid_host = try arena.cString(validHost, field: "valid_host")
        if let originalRequest { c.pointee.original_request = try arena.message(originalRequest) }
        switch answer {
        case nil:
            break
        case .fileDescriptors(let files):
            c.pointee.message_response_case =
                GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE
            let response = arena.cStruct(
                Grpc__Reflection__V1__FileDescriptorResponse.self,
                grpc__reflection__v1__file_descriptor_response__init
            )
            response.pointee.n_file_descriptor_proto = files.count
            response.pointee.file_descriptor_proto = try arena.array(files) { file throws(MessageCodingError) in
                arena.binaryData(file)
            }
            c.pointee.file_descriptor_response = response
        case .extensionNumbers(let baseTypeName, let numbers):
            c.pointee.message_response_case =
                GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ALL_EXTENSION_NUMBERS_RESPONSE
            let response = arena.cStruct(
                Grpc__Reflection__V1__ExtensionNumberResponse.self,
                grpc__reflection__v1__extension_number_response__init
            )
            response.pointee.base_type_name = try arena.cString(baseTypeName, field: "base_type_name")
            response.pointee.n_extension_number = numbers.count
            response.pointee.extension_number = arena.array(numbers)
            c.pointee.all_extension_numbers_response = response
        case .services(let names):
            c.pointee.message_response_case =
                GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE
            let response = arena.cStruct(
                Grpc__Reflection__V1__ListServiceResponse.self,
                grpc__reflection__v1__list_service_response__init
            )
            response.pointee.n_service = names.count
            response.pointee.service = try arena.array(names) { name throws(MessageCodingError) in
                let service = arena.cStruct(
                    Grpc__Reflection__V1__ServiceResponse.self,
                    grpc__reflection__v1__service_response__init
                )
                service.pointee.name = try arena.cString(name, field: "name")
                return Optional(service)
            }
            c.pointee.list_services_response = response
        case .error(let code, let message):
            c.pointee.message_response_case =
                GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE
            let response = arena.cStruct(
                Grpc__Reflection__V1__ErrorResponse.self,
                grpc__reflection__v1__error_response__init
            )
            response.pointee.error_code = code
            response.pointee.error_message = try arena.cString(message, field: "error_message")
            c.pointee.error_response = response
        }
    }
}
