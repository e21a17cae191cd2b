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
