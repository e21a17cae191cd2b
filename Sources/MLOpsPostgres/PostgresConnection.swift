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
    let connection: OpaquePointer

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

    /// Whether the server has hung up on this idle connection, which libpq
    /// learns only on its next use: an idle socket with something to read
    /// holds the server's goodbye (a shutdown's FATAL) or its end of file.
    /// One non-blocking `poll`, so the pool can look before it lends.
    var serverHasHungUp: Bool {
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
        return descriptor.fd < 0 || poll(&descriptor, 1, 0) != 0
    }

    /// Statements prepared on this connection, by text: a statement run again
    /// skips parsing and planning. Bounded, since searches compose many shapes.
    private var prepared: [String: String] = [:]
    private static let maximumPrepared = 512

    /// Runs one statement with its parameters bound, and returns every row.
    /// Statements with parameters are prepared on first use and reused.
    @discardableResult
    public func query(_ query: PostgresQuery) throws(PostgresError) -> PostgresRows {
        let name = try preparedName(for: query)
        let result = withCStrings(query.binds) { values in
            if let name {
                PQexecPrepared(connection, name, Int32(values.count), values, nil, nil, 0)
            } else {
                PQexecParams(connection, query.sql, Int32(values.count), nil, values, nil, nil, 0)
            }
        }
        guard let result else {
            throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return PostgresRows(result)
        default:
            defer { PQclear(result) }
            throw error(from: result)
        }
    }

    /// The name `query`'s statement is prepared under, preparing it now if
    /// needed; nil for statements without parameters, or when the cache is full.
    private func preparedName(for query: PostgresQuery) throws(PostgresError) -> String? {
        guard !query.binds.isEmpty else { return nil }
        if let name = prepared[query.sql] { return name }
        guard prepared.count < Self.maximumPrepared else { return nil }
        let name = "mlops_\(prepared.count)"
        guard let result = PQprepare(connection, name, query.sql, Int32(query.binds.count), nil) else {
            throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw error(from: result) }
        prepared[query.sql] = name
        return name
    }

    /// Runs `body`, which sends its own BEGIN and COMMIT (typically in a
    /// pipeline with its statements); a transaction it leaves open by
    /// throwing is rolled back.
    public func rollingBackOnFailure<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch {
            if isHealthy { _ = try? query("ROLLBACK") }
            throw error
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
            throw error(from: result)
        }
    }

    /// Sends `queries` in one pipeline (libpq 14+) and returns each one's
    /// rows, in order: one round trip for all of them. They run one after
    /// another on the server; the first failure is thrown, and the ones after
    /// it are skipped. With an explicit `BEGIN` among them, a failure leaves
    /// that transaction for the caller to roll back.
    public func pipeline(_ queries: [PostgresQuery]) throws(PostgresError) -> [PostgresRows?] {
        guard !queries.isEmpty else { return [] }
        var names: [String?] = []
        for query in queries { names.append(try preparedName(for: query)) }
        guard PQenterPipelineMode(connection) == 1 else {
            throw PostgresError(
                code: .serverError,
                message: "cannot enter pipeline mode: \(Self.errorMessage(connection))"
            )
        }
        defer { _ = PQexitPipelineMode(connection) }
        for (query, name) in zip(queries, names) {
            let sent = withCStrings(query.binds) { values in
                if let name {
                    PQsendQueryPrepared(connection, name, Int32(values.count), values, nil, nil, 0)
                } else {
                    PQsendQueryParams(connection, query.sql, Int32(values.count), nil, values, nil, nil, 0)
                }
            }
            guard sent == 1 else {
                throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
            }
        }
        guard PQpipelineSync(connection) == 1 else {
            throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
        }
        var results: [PostgresRows?] = []
        var firstError: PostgresError?
        for _ in queries {
            var rows: PostgresRows?
            // Each statement's results end with a NULL.
            while let result = PQgetResult(connection) {
                switch PQresultStatus(result) {
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                    rows = PostgresRows(result)
                case PGRES_PIPELINE_ABORTED:
                    PQclear(result)
                default:
                    if firstError == nil { firstError = error(from: result) }
                    PQclear(result)
                }
            }
            guard isHealthy else {
                throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
            }
            results.append(rows)
        }
        guard let sync = PQgetResult(connection) else {
            throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
        }
        PQclear(sync)
        if let firstError { throw firstError }
        return results
    }

    /// Sends many statements in one pipeline (libpq 14+): one round trip for
    /// the batch instead of one per statement. The batch is one implicit
    /// transaction: a failing statement rolls back the whole of it, and its
    /// error is thrown. Keep batches to a few thousand small statements: the
    /// connection blocks, and the server's answers must fit its buffers.
    public func executePipelined(_ queries: [PostgresQuery]) throws(PostgresError) {
        guard !queries.isEmpty else { return }
        guard PQenterPipelineMode(connection) == 1 else {
            throw PostgresError(
                code: .serverError,
                message: "cannot enter pipeline mode: \(Self.errorMessage(connection))"
            )
        }
        defer { _ = PQexitPipelineMode(connection) }
        for query in queries {
            let sent = withCStrings(query.binds) { values in
                PQsendQueryParams(connection, query.sql, Int32(values.count), nil, values, nil, nil, 0)
            }
            guard sent == 1 else {
                throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
            }
        }
        guard PQpipelineSync(connection) == 1 else {
            throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
        }
        var firstError: PostgresError?
        while true {
            guard let result = PQgetResult(connection) else {
                // Between one statement's results and the next; or a dead connection.
                guard isHealthy else {
                    throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
                }
                continue
            }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_SYNC {
                PQclear(result)
                break
            }
            if status == PGRES_FATAL_ERROR, firstError == nil {
                firstError = error(from: result)
            }
            PQclear(result)
        }
        if let firstError { throw firstError }
    }

    /// Loads rows with COPY … FROM STDIN: the fastest way in for many rows.
    /// Values are text (nil for NULL); table and columns are quoted identifiers.
    /// - Returns: the number of rows loaded.
    @discardableResult
    public func copyIn(table: String, columns: [String], rows: some Sequence<[String?]>) throws(PostgresError) -> Int {
        let columnList = columns.map(PostgresQuery.quoted(identifier:)).joined(separator: ", ")
        let statement = "COPY \(PostgresQuery.quoted(identifier: table)) (\(columnList)) FROM STDIN"
        guard let start = PQexec(connection, statement) else {
            throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
        }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            defer { PQclear(start) }
            throw error(from: start)
        }
        PQclear(start)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var count = 0
        func flush() throws(PostgresError) {
            guard !buffer.isEmpty else { return }
            let sent = buffer.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
            }
            buffer.removeAll(keepingCapacity: true)
            guard sent == 1 else {
                throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
            }
        }
        for row in rows {
            CopyText.append(row, to: &buffer)
            count += 1
            if buffer.count >= 1 << 20 { try flush() }
        }
        try flush()
        guard PQputCopyEnd(connection, nil) == 1 else {
            throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
        }
        var failure: PostgresError?
        while let result = PQgetResult(connection) {
            if PQresultStatus(result) != PGRES_COMMAND_OK, failure == nil { failure = error(from: result) }
            PQclear(result)
        }
        if let failure { throw failure }
        return count
    }

    private func error(from result: OpaquePointer) -> PostgresError {
        let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let message = String(cString: PQresultErrorMessage(result)).trimmedTrailingNewlines
        let code: PostgresError.Code = PQstatus(connection) == CONNECTION_OK ? .serverError : .connectionFailed
        return PostgresError(code: code, sqlState: sqlState, message: message)
    }

    static func errorMessage(_ connection: OpaquePointer) -> String {
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
