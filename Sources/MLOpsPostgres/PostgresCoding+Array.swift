/// One-dimensional arrays (`text[]`, `float8[]`, `int[]`, …) in PostgreSQL's
/// text form: `{"a","b c"}`. Every element is written quoted; NULL elements
/// are not read (the decode fails).
extension Array: PostgresEncodable where Element: PostgresEncodable {
    @inlinable
    public var postgresText: String {
        // Byte by byte: the two characters to escape are ASCII, so no UTF-8
        // sequence holds them, and no grapheme needs breaking.
        var text: [UInt8] = [UInt8(ascii: "{")]
        text.reserveCapacity(2 + count * 16)
        for index in indices {
            if index > startIndex { text.append(UInt8(ascii: ",")) }
            text.append(UInt8(ascii: "\""))
            for byte in self[index].postgresText.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { text.append(UInt8(ascii: "\\")) }
                text.append(byte)
            }
            text.append(UInt8(ascii: "\""))
        }
        text.append(UInt8(ascii: "}"))
        return String(decoding: text, as: UTF8.self)
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public init?(postgresText text: String) {
        guard let items = PostgresArrayText.elements(of: text) else { return nil }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let item, let element = Element(postgresText: item) else { return nil }
            result.append(element)
        }
        self = result
    }
}

enum PostgresArrayText {
    /// The elements of `{…}`, nil for an unquoted NULL; nil for text that is
    /// not a one-dimensional array.
    static func elements(of text: String) -> [String?]? {
        var characters = Substring(text)
        guard characters.first == "{", characters.last == "}" else { return nil }
        characters = characters.dropFirst().dropLast()
        guard !characters.isEmpty else { return [] }
        var elements: [String?] = []
        var index = characters.startIndex
        while true {
            var value = ""
            var quoted = false
            if characters[index] == "\"" {
                quoted = true
                index = characters.index(after: index)
                while index < characters.endIndex, characters[index] != "\"" {
                    if characters[index] == "\\" {
                        index = characters.index(after: index)
                        guard index < characters.endIndex else { return nil }
                    }
                    value.append(characters[index])
                    index = characters.index(after: index)
                }
                guard index < characters.endIndex else { return nil }
                index = characters.index(after: index)
            } else {
                while index < characters.endIndex, characters[index] != "," {
                    guard characters[index] != "{" else { return nil }  // nested: not one-dimensional
                    value.append(characters[index])
                    index = characters.index(after: index)
                }
            }
            elements.append(!quoted && value == "NULL" ? nil : value)
            guard index < characters.endIndex else { return elements }
            guard characters[index] == "," else { return nil }
            index = characters.index(after: index)
            guard index < characters.endIndex else { return nil }
        }
    }
}
