import Foundation
import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC

/// The registry's tables, reached only through here. Every write is one
/// transaction that first locks the model's row: writes to one model take
/// turns across every replica (so version numbers never collide and an
/// archiving promotion leaves one version in its stage), while different
/// models never wait for each other.
struct RegistryStore: Sendable {
    let pool: PostgresPool
    let cache: RegistryReadCache
    let creates: WriteCombiner<VersionCreation, ModelVersion>
    let stageChanges: WriteCombiner<StageChangeRequest, StageChangeResult>

    init(pool: PostgresPool, cache: RegistryReadCache) {
        self.pool = pool
        self.cache = cache
        self.creates = WriteCombiner(pool: pool) { model, items, connection in
            try Self.createVersions(items, of: model, connection, cache: cache)
        }
        // A batch writes each touched version once, however many changes it holds.
        self.stageChanges = WriteCombiner(pool: pool) { model, items, connection in
            try Self.changeStages(items, of: model, connection, cache: cache)
        }
    }

    /// The NOTIFY channel every replica's event hub listens on.
    static let channel = "model_registry_events"

    /// Runs `body` in a transaction, retried on serialization failures and
    /// deadlocks.
    func transaction<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        try await pool.withRetryingTransaction(isolation: .readCommitted, body)
    }

    /// A write to `models`: a transaction that also tells every replica the
    /// models changed (delivered on commit), and drops this replica's cached
    /// reads of them once it has committed, before the caller hears back.
    func write<Result: Sendable>(
        _ models: String...,
        body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        defer { for model in models { cache.invalidate(model) } }
        return try await transaction { connection in
            let result = try body(connection)
            for model in models { try connection.notify(.changed(model: model)) }
            return result
        }
    }

    /// A read of several statements, in a snapshot of its own.
    func read<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Result) async throws
        -> Result
    {
        try await pool.withTransaction(isolation: .repeatableRead, body)
    }

    /// One statement, which is a transaction of its own: no BEGIN or COMMIT
    /// round trips, which the hot calls (latest versions, aliases, creates) can't afford.
    func single<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        try await pool.withConnection(body)
    }

    static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}

/// A registered model's row, locked for the rest of the transaction.
struct LockedModel {
    var id: UUID
    var name: String
}

extension PostgresConnection {
    /// Locks the model's row (so writes to it take turns), or `NOT_FOUND`.
    func lockModel(_ name: String) throws -> LockedModel {
        let rows = try query("SELECT id FROM registered_models WHERE name = \(name) FOR UPDATE")
        guard rows.count == 1, let id = try rows.value(UUID.self, row: 0, column: 0) else {
            throw RegistryErrors.modelNotFound(name)
        }
        return LockedModel(id: id, name: name)
    }

    /// Tells an unknown model from an unknown version or alias, after a read found nothing.
    func modelExists(_ name: String) throws -> Bool {
        try query("SELECT 1 FROM registered_models WHERE name = \(name)").count == 1
    }

    /// The model's id, or `NOT_FOUND`.
    func modelID(_ name: String) throws -> UUID {
        let rows = try query("SELECT id FROM registered_models WHERE name = \(name)")
        guard rows.count == 1, let id = try rows.value(UUID.self, row: 0, column: 0) else {
            throw RegistryErrors.modelNotFound(name)
        }
        return id
    }

    /// A live version, or `NOT_FOUND`.
    func version(_ name: String, _ number: Int64, of modelID: UUID) throws -> VersionRow.Decoded {
        let rows = try query(
            "SELECT \(fragment: .versionColumns) FROM model_versions v WHERE v.model_id = \(modelID) AND v.version = \(number)"
        )
        guard rows.count == 1 else { throw RegistryErrors.versionNotFound(name, number) }
        return try VersionRow.decode(rows, row: 0)
    }

    func notify(_ notification: RegistryNotification) throws {
        try query("SELECT pg_notify(\(RegistryStore.channel), \(notification.payload))")
    }
}
