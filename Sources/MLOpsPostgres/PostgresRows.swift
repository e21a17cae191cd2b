internal import CPostgreSQL

/// The rows a statement returned, read in text format and decoded on demand.
/// A `PGresult` is read-only once made, and libpq lets it pass between threads.
public final class PostgresRows: @unchecked Sendable {
    private let result: OpaquePointer

    /// How many rows there are.
    public let count: Int
    /// The column names, in order.
    public let columns: [String]

    init(_ result: OpaquePointer) {
        self.result = result
        count = Int(PQntuples(result))
        columns = (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
    }

    deinit {
        PQclear(result)
    }

    /// The raw text of a cell, nil for SQL NULL.
    public func text(row: Int, column: Int) -> String? {
        precondition(row < count && column < columns.count, "cell (\(row), \(column)) is outside the result")
        if PQgetisnull(result, Int32(row), Int32(column)) != 0 { return nil }
        return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    /// The cell's text as libpq holds it (NUL-terminated, valid only during
    /// `body`), nil for SQL NULL: for readers that parse large cells in place.
    public func withUnsafeText<Result>(
        row: Int,
        column: Int,
        _ body: (UnsafePointer<CChar>) throws -> Result
    ) rethrows -> Result? {
        precondition(row < count && column < columns.count, "cell (\(row), \(column)) is outside the result")
        if PQgetisnull(result, Int32(row), Int32(column)) != 0 { return nil }
        return try body(PQgetvalue(result, Int32(row), Int32(column)))
    }

    /// A cell decoded as `type`, nil for SQL NULL.
    /// - Throws: `PostgresError` with code `.decodingFailed` when the text is not a `type`.
    @inlinable
    public func value<Value: PostgresDecodable>(
        _ type: Value.Type,
        row: Int,
        column: Int
    ) throws(PostgresError) -> Value? {
        guard let text = text(row: row, column: column) else { return nil }
        guard let value = Value(postgresText: text) else {
            throw PostgresError(
                code: .decodingFailed,
                message: "column \(columns[column]) of row \(row) is not a \(Value.self)"
            )
        }
        return value
    }
}

/// A Swift value that can be read from PostgreSQL's text format.
public protocol PostgresDecodable {
    init?(postgresText: String)
}

extension String: PostgresDecodable {
    public init?(postgresText: String) { self = postgresText }
}

extension Int: PostgresDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int64: PostgresDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int32: PostgresDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Double: PostgresDecodable {
    public init?(postgresText: String) {
        switch postgresText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(postgresText)
        }
    }
}

extension Bool: PostgresDecodable {
    public init?(postgresText: String) {
        switch postgresText {
        case "t": self = true
        case "f": self = false
        default: return nil
        }
    }
}
