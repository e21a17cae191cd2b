/// A statement and its parameters. Interpolated values become `$n` binds, so
/// a value can never change the statement's text:
///
///     let query: PostgresQuery = "SELECT * FROM model_versions WHERE model_name = \(name)"
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation {
    /// The statement with `$1`, `$2`, … where the values go.
    public private(set) var sql: String
    /// The values in text format, `nil` for SQL NULL.
    public private(set) var binds: [String?]

    public init(stringLiteral value: String) {
        sql = value
        binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        sql = stringInterpolation.sql
        binds = stringInterpolation.binds
    }

    /// Appends a fragment built elsewhere, its `$n` renumbered after this
    /// query's binds: how a search composes its optional conditions. The
    /// fragment's own text must hold no `$n` but its binds (code-owned SQL does not).
    public mutating func append(_ fragment: PostgresQuery) {
        Self.append(fragment, to: &sql, &binds)
    }

    /// The one place binds are renumbered, for `append` and `\(fragment:)`.
    /// Scans bytes: `$` and digits are ASCII, so they never sit inside a
    /// multi-byte character, and slicing at them is slicing at characters.
    fileprivate static func append(_ fragment: PostgresQuery, to sql: inout String, _ binds: inout [String?]) {
        let offset = binds.count
        binds += fragment.binds
        guard offset > 0, !fragment.binds.isEmpty else {
            sql += fragment.sql
            return
        }
        let text = fragment.sql
        let bytes = text.utf8
        var copied = bytes.startIndex
        var index = copied
        while let dollar = bytes[index...].firstIndex(of: UInt8(ascii: "$")) {
            var end = bytes.index(after: dollar)
            var number = 0
            while end < bytes.endIndex, case let digit = bytes[end], digit >= UInt8(ascii: "0"),
                digit <= UInt8(ascii: "9")
            {
                number = number * 10 + Int(digit - UInt8(ascii: "0"))
                end = bytes.index(after: end)
            }
            if end > bytes.index(after: dollar) {
                sql += text[copied..<dollar]
                sql += "$\(number + offset)"
                copied = end
            }
            index = end
        }
        sql += text[copied...]
    }

    /// `fragments` joined by `separator` (code-owned SQL, such as `" AND "`).
    public static func joined(_ fragments: [PostgresQuery], separator: String) -> PostgresQuery {
        var query = PostgresQuery(stringLiteral: "")
        for (index, fragment) in fragments.enumerated() {
            if index > 0 { query.sql += separator }
            query.append(fragment)
        }
        return query
    }

    /// `name` as a quoted SQL identifier.
    static func quoted(identifier name: String) -> String {
        "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        @usableFromInline var sql = ""
        @usableFromInline var binds: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Inlinable, so callers get it specialised for their value's type
        /// (generic, it looked up type metadata on every value).
        @inlinable
        public mutating func appendInterpolation(_ value: (some PostgresEncodable)?) {
            binds.append(value?.postgresText)
            sql += "$\(binds.count)"
        }

        /// A table, column or database name, which cannot be a bind parameter:
        /// written as a quoted identifier, so it can never end the name early.
        public mutating func appendInterpolation(identifier: String) {
            sql += PostgresQuery.quoted(identifier: identifier)
        }

        /// A fragment with binds of its own, renumbered to follow these.
        public mutating func appendInterpolation(fragment: PostgresQuery) {
            PostgresQuery.append(fragment, to: &sql, &binds)
        }
    }
}

/// A Swift value that PostgreSQL can take as a parameter, in text format.
public protocol PostgresEncodable: Sendable {
    var postgresText: String { get }
}

extension String: PostgresEncodable {
    public var postgresText: String { self }
}

extension Int: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Double: PostgresEncodable {
    /// Shortest text that reads back to the same double; PostgreSQL spells the
    /// special values its own way.
    public var postgresText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return "\(self)"
    }
}

extension Bool: PostgresEncodable {
    public var postgresText: String { self ? "true" : "false" }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
