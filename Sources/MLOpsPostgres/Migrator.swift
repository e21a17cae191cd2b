/// One step of a service's schema, applied once, in order.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    /// Code-owned SQL, several statements allowed.
    public let sql: StaticString

    public init(version: Int, name: String, sql: StaticString) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies a service's migrations at start-up. Replicas starting together
/// take turns on a PostgreSQL advisory lock keyed by the service, so each
/// migration runs once; each runs in its own transaction with its record in
/// `<service>_schema_migrations`, so one that fails leaves the database as it was.
public struct Migrator: Sendable {
    /// The owning service, e.g. `model_registry`: letters, digits and `_`.
    public let service: String
    public let migrations: [Migration]

    public init(service: String, migrations: [Migration]) {
        precondition(
            !service.isEmpty && service.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") },
            "a service name for a table: letters, digits and _"
        )
        precondition(
            zip(migrations, migrations.dropFirst()).allSatisfy { $0.version < $1.version },
            "migrations must be in increasing version order"
        )
        self.service = service
        self.migrations = migrations
    }

    /// The table recording what was applied.
    public var tableName: String { "\(service)_schema_migrations" }

    /// Applies what is missing; returns the versions applied now.
    @discardableResult
    public func migrate(_ pool: PostgresPool) async throws -> [Int] {
        let migrations = self.migrations
        let table = tableName
        let lockKey = Self.lockKey(service)
        return try await pool.withConnection { connection in
            try connection.query("SELECT pg_advisory_lock(\(lockKey))")
            defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(lockKey))") }
            try connection.query(
                """
                CREATE TABLE IF NOT EXISTS \(identifier: table) (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """
            )
            let rows = try connection.query("SELECT version FROM \(identifier: table)")
            var done = Set<Int>()
            for row in 0..<rows.count {
                if let version = try rows.value(Int.self, row: row, column: 0) { done.insert(version) }
            }
            var applied: [Int] = []
            for migration in migrations where !done.contains(migration.version) {
                try connection.query("BEGIN")
                do {
                    try connection.executeScript(migration.sql)
                    try connection.query(
                        "INSERT INTO \(identifier: table) (version, name) VALUES (\(migration.version), \(migration.name))"
                    )
                    try connection.query("COMMIT")
                } catch {
                    _ = try? connection.query("ROLLBACK")
                    throw PostgresError(
                        code: .serverError,
                        sqlState: (error as? PostgresError)?.sqlState,
                        message: "migration \(migration.version) (\(migration.name)) of \(table) failed: \(error)"
                    )
                }
                applied.append(migration.version)
            }
            return applied
        }
    }

    /// A stable 64-bit key for the advisory lock (FNV-1a of the service name).
    static func lockKey(_ service: String) -> Int64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "mlops-migrations:\(service)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int64(bitPattern: hash)
    }
}
