import Foundation

/// A JSON document built by hand, so output keeps a readable key order.
indirect enum JSONValue {
    case string(String)
    case number(Double)
    case integer(Int64)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    func render(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .string(let text): return Self.quoted(text)
        case .number(let number): return number.isFinite ? "\(number)" : "null"
        case .integer(let number): return "\(number)"
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .array(let items):
            guard !items.isEmpty else { return "[]" }
            return "[\n" + items.map { inner + $0.render(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let fields):
            guard !fields.isEmpty else { return "{}" }
            return "{\n"
                + fields.map { "\(inner)\(Self.quoted($0.0)): \($0.1.render(indent: inner))" }.joined(separator: ",\n")
                + "\n\(indent)}"
        }
    }

    private static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = try! encoder.encode(text)
        return String(decoding: data, as: UTF8.self)
    }
}
