import Foundation
import MLOpsMessages

/// How protobuf names become Swift and protoc-c names.
struct SwiftNaming {
    private let messagesByName: [String: MessageSchema]
    private let enumsByName: [String: EnumSchema]

    init(files: [ProtoFileSchema]) {
        let messages = files.flatMap(\.messages)
        messagesByName = Dictionary(uniqueKeysWithValues: messages.map { ($0.fullName, $0) })
        enumsByName = Dictionary(uniqueKeysWithValues: files.flatMap(\.enums).map { ($0.fullName, $0) })
    }

    func message(_ fullName: String) -> MessageSchema { messagesByName[fullName]! }
    func enumeration(_ fullName: String) -> EnumSchema { enumsByName[fullName]! }

    /// `mlops/v1/registry.proto` → `Registry.pb.swift`.
    static func fileName(forProto path: String) -> String {
        let base = path.split(separator: "/").last!.replacingOccurrences(of: ".proto", with: "")
        return base.prefix(1).uppercased() + base.dropFirst() + ".pb.swift"
    }

    /// `mlops.v1.ModelVersion` → `ModelVersion`; nested types join with `_`.
    static func typeName(_ fullName: String) -> String {
        fullName.split(separator: ".").dropFirst(2).joined(separator: "_")
    }

    /// `Mlops__V1__ModelVersion__TagsEntry` → `mlops__v1__model_version__tags_entry`,
    /// the prefix of protoc-c's functions for that message.
    static func cFunctionPrefix(_ cName: String) -> String {
        cName.components(separatedBy: "__").map(camelToLower).joined(separator: "__")
    }

    /// protoc-c's CamelToLower: an underscore before each capital that follows a
    /// lower-case letter or digit.
    private static func camelToLower(_ name: String) -> String {
        var result = ""
        var previousWasUpper = true
        for character in name {
            if character.isUppercase {
                if !previousWasUpper { result.append("_") }
                result.append(contentsOf: character.lowercased())
                previousWasUpper = true
            } else {
                result.append(character)
                previousWasUpper = false
            }
        }
        return result
    }

    /// `archive_existing_versions` → `archiveExistingVersions`.
    static func propertyName(_ protoName: String) -> String {
        let parts = protoName.split(separator: "_")
        let camel = parts.enumerated().map { index, part in
            index == 0 ? part.lowercased() : part.prefix(1).uppercased() + part.dropFirst().lowercased()
        }.joined()
        return swiftKeywords.contains(camel) ? "`\(camel)`" : camel
    }

    /// `GetLatestVersions` → `get_latest_versions`.
    static func snakeCase(_ camel: String) -> String {
        var result = ""
        for character in camel {
            if character.isUppercase, !result.isEmpty { result.append("_") }
            result.append(contentsOf: character.lowercased())
        }
        return result
    }

    /// `SERVING_STATUS_NOT_SERVING` of `ServingStatus` → `notServing`.
    static func caseName(_ valueName: String, enumTypeName: String) -> String {
        let prefix = screamingSnake(enumTypeName) + "_"
        let stripped = valueName.hasPrefix(prefix) ? String(valueName.dropFirst(prefix.count)) : valueName
        return propertyName(stripped)
    }

    private static func screamingSnake(_ name: String) -> String {
        camelToLower(name).uppercased()
    }

    private static let swiftKeywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "func", "import", "init", "inout",
        "internal", "let", "operator", "private", "protocol", "public", "static", "struct", "subscript",
        "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "catch", "false",
        "is", "nil", "rethrows", "super", "self", "throw", "throws", "true", "try", "Type", "none",
    ]

    /// A message used as a field type, shown in Swift as an optional scalar.
    enum Wrapper {
        case double, int32, string

        init?(_ fullName: String) {
            switch fullName {
            case "mlops.v1.DoubleValue": self = .double
            case "mlops.v1.Int32Value": self = .int32
            case "mlops.v1.StringValue": self = .string
            default: return nil
            }
        }

        var swiftType: String {
            switch self {
            case .double: "Double"
            case .int32: "Int32"
            case .string: "String"
            }
        }
    }

    /// A message that protoc generated for a `map<K, V>` field.
    func mapEntry(_ fullName: String) -> (key: FieldSchema, value: FieldSchema)? {
        message(fullName).mapEntryFields
    }
}
