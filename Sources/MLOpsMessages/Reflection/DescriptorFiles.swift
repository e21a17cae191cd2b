internal import CMLOpsProtos
internal import CProtobufC

/// Proto files as protoc describes them (`google.protobuf.FileDescriptorProto`),
/// indexed for server reflection: by path and by every symbol they define.
/// `served` holds protos/mlops and the standard gRPC services served beside it.
package struct DescriptorFiles: Sendable {
    package struct File: Sendable, Equatable {
        /// Path under protos/, e.g. `mlops/v1/registry.proto`.
        package var name: String
        package var dependencies: [String]
        /// The `FileDescriptorProto` as protoc encoded it.
        package var encoded: [UInt8]
        /// Fully qualified messages (nested ones too), enums, services and methods.
        package var symbols: [String]
        /// Fully qualified services.
        package var services: [String]
    }

    private var filesByName: [String: File] = [:]
    private var fileNameBySymbol: [String: String] = [:]

    /// The descriptor set compiled in by scripts/generate-messages.sh.
    package static let served: DescriptorFiles = {
        var size = 0
        let bytes = UnsafeBufferPointer(start: mlops_descriptor_set(&size), count: size)
        do {
            return try DescriptorFiles(encodedSet: bytes)
        } catch {
            fatalError("the compiled-in descriptor set does not decode: \(error)")
        }
    }()

    /// Reads an encoded `google.protobuf.FileDescriptorSet`.
    package init(encodedSet: UnsafeBufferPointer<UInt8>) throws(MessageCodingError) {
        guard let set = mlops__internal__descriptor_set_view__unpack(nil, encodedSet.count, encodedSet.baseAddress)
        else { throw Self.malformed(encodedSet.count) }
        defer { mlops__internal__descriptor_set_view__free_unpacked(set, nil) }
        for encoded in CField.array(set.pointee.file, count: set.pointee.n_file) {
            guard let view = mlops__internal__file_view__unpack(nil, encoded.len, encoded.data) else {
                throw Self.malformed(encoded.len)
            }
            defer { mlops__internal__file_view__free_unpacked(view, nil) }
            let file = try File(view.pointee, encoded: CField.bytes(encoded))
            filesByName[file.name] = file
            for symbol in file.symbols { fileNameBySymbol[symbol] = file.name }
        }
    }

    private static func malformed(_ count: Int) -> MessageCodingError {
        MessageCodingError(code: .malformed, message: "\(count) bytes of descriptors do not decode")
    }

    package func file(named name: String) -> File? {
        filesByName[name]
    }

    package func file(definingSymbol symbol: String) -> File? {
        fileNameBySymbol[symbol].flatMap { filesByName[$0] }
    }

    /// `file`, then every file it imports, directly or not, each once: what a
    /// reflection client needs to build the file's descriptors.
    package func withImports(_ file: File) -> [File] {
        var ordered: [File] = []
        var seen: Set<String> = []
        var pending = [file]
        while let next = pending.popLast() {
            guard seen.insert(next.name).inserted else { continue }
            ordered.append(next)
            pending.append(contentsOf: next.dependencies.reversed().compactMap { filesByName[$0] })
        }
        return ordered
    }
}

extension DescriptorFiles.File {
    fileprivate init(_ view: Mlops__Internal__FileView, encoded: [UInt8]) throws(MessageCodingError) {
        name = try CField.string(view.name, field: "name")
        self.encoded = encoded
        dependencies = try CField.array(view.dependency, count: view.n_dependency) {
            dependency throws(MessageCodingError) in try CField.string(dependency, field: "dependency")
        }
        let package = try CField.string(view.package, field: "package")
        let prefix = package.isEmpty ? "" : package + "."
        symbols = []
        services = []
        for message in CField.array(view.message_type, count: view.n_message_type) {
            guard let message else { continue }
            try addMessage(message.pointee, prefix: prefix)
        }
        try addEnums(view.enum_type, count: view.n_enum_type, prefix: prefix)
        for service in CField.array(view.service, count: view.n_service) {
            guard let service else { continue }
            let serviceName = prefix + (try CField.string(service.pointee.name, field: "name"))
            services.append(serviceName)
            symbols.append(serviceName)
            for method in CField.array(service.pointee.method, count: service.pointee.n_method) {
                guard let method else { continue }
                symbols.append(serviceName + "." + (try CField.string(method.pointee.name, field: "name")))
            }
        }
    }

    private mutating func addMessage(_ message: Mlops__Internal__MessageView, prefix: String) throws(MessageCodingError)
    {
        let name = prefix + (try CField.string(message.name, field: "name"))
        symbols.append(name)
        for nested in CField.array(message.nested_type, count: message.n_nested_type) {
            guard let nested else { continue }
            try addMessage(nested.pointee, prefix: name + ".")
        }
        try addEnums(message.enum_type, count: message.n_enum_type, prefix: name + ".")
    }

    private mutating func addEnums(
        _ enums: UnsafeMutablePointer<UnsafeMutablePointer<Mlops__Internal__NamedView>?>?,
        count: Int,
        prefix: String
    ) throws(MessageCodingError) {
        for enumeration in CField.array(enums, count: count) {
            guard let enumeration else { continue }
            symbols.append(prefix + (try CField.string(enumeration.pointee.name, field: "name")))
        }
    }
}
