internal import Foundation

/// A parsed JSON value, numbers kept exact: an integer that fits 64 bits is
/// not rounded through `Double`, as protobuf's 64-bit fields need.
enum JSONDocument: Decodable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSONDocument])
    case object([String: JSONDocument])

    static func parse(_ data: Data) throws(JSONMappingError) -> JSONDocument {
        do {
            return try JSONDecoder().decode(JSONDocument.self, from: data)
        } catch {
            throw JSONMappingError(at: "", "not valid JSON")
        }
    }

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: MemberName.self) {
            self = .object(
                try Dictionary(
                    object.allKeys.map { ($0.stringValue, try object.decode(JSONDocument.self, forKey: $0)) },
                    uniquingKeysWith: { _, last in last }
                )
            )
        } else if var array = try? decoder.unkeyedContainer() {
            var items: [JSONDocument] = []
            while !array.isAtEnd { items.append(try array.decode(JSONDocument.self)) }
            self = .array(items)
        } else {
            let value = try decoder.singleValueContainer()
            if value.decodeNil() {
                self = .null
            } else if let flag = try? value.decode(Bool.self) {
                self = .bool(flag)
            } else if let integer = try? value.decode(Int64.self) {
                self = .integer(integer)
            } else if let unsigned = try? value.decode(UInt64.self) {
                self = .unsigned(unsigned)
            } else if let number = try? value.decode(Double.self) {
                self = .number(number)
            } else {
                self = .string(try value.decode(String.self))
            }
        }
    }

    /// What the value is, for messages: "a string", "an array"...
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .unsigned, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    private struct MemberName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
