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
        let offset = binds.count
        binds += fragment.binds
        guard offset > 0, !fragment.binds.isEmpty else {
            sql += fragment.sql
            return
        }
        var text = fragment.sql[...]
        while let dollar = text.firstIndex(of: "$") {
            sql += text[..<dollar]
            let digits = text[text.index(after: dollar)...].prefix(while: \.isASCII).prefix(while: \.isNumber)
            if let number = Int(digits) {
                sql += "$\(number + offset)"
            } else {
                sql += "$"
            }
            text = text[text.index(dollar, offsetBy: 1 + digits.count)...]
        }
        sql += text
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
        var sql = ""
        var binds: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

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
            var query = PostgresQuery(stringLiteral: sql)
            query.binds = binds
            query.append(fragment)
            sql = query.sql
            binds = query.binds
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
