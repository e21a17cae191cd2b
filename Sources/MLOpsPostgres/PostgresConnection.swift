internal import CPostgreSQL

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// One libpq connection. Its calls block: run them on a thread pool, never
/// on an event loop. One thread at a time: `PostgresPool` lends each
/// connection to one caller at a time, which is what makes it `Sendable`.
public final class PostgresConnection: @unchecked Sendable {
    private let connection: OpaquePointer

    /// Connects with a libpq connection string (`host=… port=… dbname=…`) or URL.
    /// - Throws: `PostgresError` with code `.connectionFailed`.
    public init(connectionString: String) throws(PostgresError) {
        guard let connection = PQconnectdb(connectionString) else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            // libpq's message names host and port, never the password.
            let message = Self.errorMessage(connection)
            PQfinish(connection)
            throw PostgresError(code: .connectionFailed, message: message)
        }
        self.connection = connection
    }

    /// Connects with the given settings; the message of a failure names the
    /// server, never the password.
    public convenience init(configuration: PostgresConfiguration) throws(PostgresError) {
        try self.init(connectionString: configuration.connectionString)
    }

    deinit {
        PQfinish(connection)
    }

    /// False once libpq has seen the connection break.
    public var isHealthy: Bool { PQstatus(connection) == CONNECTION_OK }

    /// Runs one statement with its parameters bound, and returns every row.
    @discardableResult
    public func query(_ query: PostgresQuery) throws(PostgresError) -> PostgresRows {
        let result = withCStrings(query.binds) { values in
            PQexecParams(connection, query.sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        guard let result else {
            throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return PostgresRows(result)
        default:
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result)).trimmedTrailingNewlines
            PQclear(result)
            let code: PostgresError.Code = PQstatus(connection) == CONNECTION_OK ? .serverError : .connectionFailed
            throw PostgresError(code: code, sqlState: sqlState, message: message)
        }
    }

    /// Runs a script of several statements with no parameters. Only for SQL
    /// the code owns (migrations): anything with a value in it goes through
    /// `query(_:)`, whose values are always bound.
    public func executeScript(_ script: StaticString) throws(PostgresError) {
        guard let result = PQexec(connection, script.description) else {
            throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result)).trimmedTrailingNewlines
            let code: PostgresError.Code = PQstatus(connection) == CONNECTION_OK ? .serverError : .connectionFailed
            throw PostgresError(code: code, sqlState: sqlState, message: message)
        }
    }

    private static func errorMessage(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmedTrailingNewlines
    }
}

/// Calls `body` with NUL-terminated copies of `strings`, nil for SQL NULL.
private func withCStrings<Result>(
    _ strings: [String?],
    _ body: ([UnsafePointer<CChar>?]) -> Result
) -> Result {
    let copies = strings.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}

extension String {
    fileprivate var trimmedTrailingNewlines: String {
        var result = self
        while result.last?.isNewline == true { result.removeLast() }
        return result
    }
}
