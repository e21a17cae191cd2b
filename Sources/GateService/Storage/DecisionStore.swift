package import Foundation
package import GatePolicy
package import MLOpsPostgres
package import MLOpsRPC

/// `retraining_decisions`: logging decisions once per idempotency key,
/// reading them back, and the promotions still to apply.
package struct DecisionStore: Sendable {
    let pool: PostgresPool
    /// Decisions arriving together are logged together: one statement and
    /// one commit for up to 64, instead of one commit each.
    private let inserts: WriteCombiner<PendingInsert, DecisionRecord?>

    struct PendingInsert: Sendable {
        var record: DecisionRecord
        var fingerprint: String
        var claimSeconds: Double
    }

    package init(pool: PostgresPool) {
        self.pool = pool
        inserts = WriteCombiner(pool: pool, maximumBatch: 64) { _, items, connection in
            let inserted = try Self.insert(items, connection)
            return items.map { .success(inserted[$0.record.idempotencyKey]) }
        }
    }

    /// A decision stored under `key`, with the fingerprint of the request that made it.
    package func find(key: String) async throws -> (DecisionRecord, fingerprint: String)? {
        try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT \(fragment: DecisionRecord.columns), coalesce(request_fingerprint, '')
                FROM retraining_decisions WHERE idempotency_key = \(key)
                """
            )
            guard rows.count == 1 else { return nil }
            return (try DecisionRecord(rows: rows, at: 0), try rows.value(String.self, row: 0, column: 16)!)
        }
    }

    /// Logs a decision; a promotion is logged pending and claimed for
    /// `claimSeconds` by the caller, who applies it next. When another
    /// request logged the key first, its decision comes back (replayed) if
    /// it was the same request, else `ALREADY_EXISTS`.
    package func insert(
        _ record: DecisionRecord,
        fingerprint: String,
        claimSeconds: Double
    ) async throws -> (DecisionRecord, replayed: Bool) {
        let pending = PendingInsert(record: record, fingerprint: fingerprint, claimSeconds: claimSeconds)
        if let inserted = try await inserts.submit(pending, key: "decisions") { return (inserted, false) }
        guard let (stored, storedFingerprint) = try await find(key: record.idempotencyKey) else {
            throw ServiceRefusal(code: .unavailable, message: "the decision under this key vanished; try again")
        }
        guard storedFingerprint == fingerprint else { throw Self.keyReused(record.idempotencyKey, stored) }
        return (stored, true)
    }

    /// One INSERT for the batch; the rows it wrote by idempotency key (keys
    /// already taken are left out, for the callers to resolve).
    private static func insert(_ items: [PendingInsert], _ connection: PostgresConnection) throws -> [String:
        DecisionRecord]
    {
        let records = items.map(\.record)
        let rows = try connection.query(
            """
            INSERT INTO retraining_decisions (
                id, timestamp, trigger_reason, action, drift_context, data_context, decision_details,
                labeled_samples, coverage_pct, model_name, candidate_version, production_version,
                idempotency_key, request_fingerprint, decided_by, promotion_state, promotion_claimed_until)
            SELECT i.id, date_trunc('milliseconds', clock_timestamp() AT TIME ZONE 'UTC'), i.trigger_reason, i.action,
                   i.drift_context, i.data_context, i.decision_details, i.labeled_samples,
                   NULLIF(i.coverage_pct, 'NaN'), i.model_name, i.candidate_version, NULLIF(i.production_version, 0),
                   i.idempotency_key, i.request_fingerprint, i.decided_by, i.promotion_state,
                   CASE WHEN i.promotion_state = 'pending'
                        THEN (now() AT TIME ZONE 'UTC') + make_interval(secs => i.claim) END
            FROM unnest(
                \(records.map(\.id))::uuid[], \(records.map(\.trigger.rawValue))::text[],
                \(records.map(\.action.rawValue))::text[], \(records.map { PostgresJSON($0.driftContext) })::jsonb[],
                \(records.map { PostgresJSON($0.dataContext) })::jsonb[],
                \(records.map { PostgresJSON($0.evaluation) })::jsonb[], \(records.map(\.labeledSamples))::int[],
                \(records.map { $0.coveragePct ?? .nan })::float8[], \(records.map(\.modelName))::text[],
                \(records.map(\.candidateVersion))::bigint[], \(records.map(\.productionVersion))::bigint[],
                \(records.map(\.idempotencyKey))::text[], \(items.map(\.fingerprint))::text[],
                \(records.map(\.requestedBy))::text[], \(records.map(\.promotionState.rawValue))::text[],
                \(items.map(\.claimSeconds))::float8[]
            ) WITH ORDINALITY AS i(id, trigger_reason, action, drift_context, data_context, decision_details,
                                   labeled_samples, coverage_pct, model_name, candidate_version, production_version,
                                   idempotency_key, request_fingerprint, decided_by, promotion_state, claim, position)
            ORDER BY i.position
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING \(fragment: DecisionRecord.columns)
            """
        )
        var inserted: [String: DecisionRecord] = [:]
        for row in 0..<rows.count {
            let record = try DecisionRecord(rows: rows, at: row)
            inserted[record.idempotencyKey] = record
        }
        return inserted
    }

    static func keyReused(_ key: String, _ stored: DecisionRecord) -> ServiceRefusal {
        ServiceRefusal(
            code: .alreadyExists,
            message:
                "idempotency key '\(key)' was used for a different request (decision \(stored.id.uuidString.lowercased())); use a new key"
        )
    }

    package func get(id: UUID) async throws -> DecisionRecord? {
        try await pool.withConnection { connection in
            let rows = try connection.query(
                "SELECT \(fragment: DecisionRecord.columns) FROM retraining_decisions WHERE id = \(id)"
            )
            return rows.count == 1 ? try DecisionRecord(rows: rows, at: 0) : nil
        }
    }

    package struct Filter: Sendable {
        package var model = ""
        package var action: Verdict?
        package var trigger: DecisionRecord.Trigger?
        /// (since, until] in milliseconds; 0 leaves that side open.
        package var since: Int64 = 0
        package var until: Int64 = 0

        package init() {}
    }

    /// Newest first, as the seed's `v_decision_history` lists them (every
    /// decision), paged by (timestamp, id) on the table's own index.
    package func list(_ filter: Filter, page: PageRequest<KeysetPageToken>) async throws -> Page<DecisionRecord> {
        try await pool.withConnection { connection in
            var query: PostgresQuery = """
                SELECT \(fragment: DecisionRecord.columns) FROM retraining_decisions WHERE true
                """
            var conditions: [PostgresQuery] = []
            if !filter.model.isEmpty { conditions.append("model_name = \(filter.model)") }
            if let action = filter.action { conditions.append("action = \(action.rawValue)") }
            if let trigger = filter.trigger { conditions.append("trigger_reason = \(trigger.rawValue)") }
            if filter.since > 0 {
                conditions.append("timestamp > \(EpochMilliseconds(filter.since))")
            }
            if filter.until > 0 {
                conditions.append("timestamp <= \(EpochMilliseconds(filter.until))")
            }
            if let after = page.after {
                conditions.append(
                    "(timestamp, id) < (\(EpochMilliseconds(after.timestamp)), \(after.id))"
                )
            }
            for condition in conditions {
                query.append(" AND ")
                query.append(condition)
            }
            query.append(" ORDER BY timestamp DESC, id DESC LIMIT \(page.fetchLimit)")
            let rows = try connection.query(query)
            let records = try (0..<rows.count).map { try DecisionRecord(rows: rows, at: $0) }
            return page.page(records) { KeysetPageToken(timestamp: $0.timestamp, id: $0.id) }
        }
    }

    /// The seed's "decision success rate": counts by action over (since, until].
    package func stats(model: String, since: Int64, until: Int64) async throws -> [Verdict: Int64] {
        try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT action, count(*) FROM retraining_decisions
                WHERE (\(model) = '' OR model_name = \(model))
                  AND (\(since) = 0 OR timestamp > \(EpochMilliseconds(since)))
                  AND (\(until) = 0 OR timestamp <= \(EpochMilliseconds(until)))
                GROUP BY action
                """
            )
            var counts: [Verdict: Int64] = [:]
            for row in 0..<rows.count {
                if let action = Verdict(rawValue: rows.text(row: row, column: 0) ?? "") {
                    counts[action] = try rows.value(Int64.self, row: row, column: 1)
                }
            }
            return counts
        }
    }

    // MARK: promotions

    /// Pending promotions whose claim lapsed (or never was), oldest first,
    /// now claimed for `claimSeconds` by the caller.
    package func claimDuePromotions(limit: Int, claimSeconds: Double) async throws -> [DecisionRecord] {
        try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                UPDATE retraining_decisions SET
                    promotion_claimed_until = (now() AT TIME ZONE 'UTC') + make_interval(secs => \(claimSeconds))
                WHERE id IN (
                    SELECT id FROM retraining_decisions
                    WHERE promotion_state = 'pending'
                      AND (promotion_claimed_until IS NULL OR promotion_claimed_until < now() AT TIME ZONE 'UTC')
                    ORDER BY timestamp LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                RETURNING \(fragment: DecisionRecord.columns)
                """
            )
            return try (0..<rows.count).map { try DecisionRecord(rows: rows, at: $0) }.sorted {
                $0.timestamp < $1.timestamp
            }
        }
    }

    /// Whether a later promotion for the same model was logged: this one is then superseded.
    package func hasNewerPromotion(than record: DecisionRecord) async throws -> Bool {
        try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT 1 FROM retraining_decisions
                WHERE model_name = \(record.modelName) AND action = 'promote' AND id <> \(record.id)
                  AND promotion_state IN ('pending', 'applied')
                  AND timestamp > (SELECT timestamp FROM retraining_decisions WHERE id = \(record.id))
                LIMIT 1
                """
            )
            return rows.count > 0
        }
    }

    /// Records how a promotion attempt ended: applied, failed for good,
    /// superseded, or still pending (the claim released, to retry).
    package func finishPromotion(
        _ id: UUID,
        state: DecisionRecord.PromotionState,
        error: String? = nil,
        transitionID: Int64? = nil
    ) async throws {
        try await pool.withConnection { connection in
            try connection.query(
                """
                UPDATE retraining_decisions SET
                    promotion_state = \(state.rawValue),
                    promotion_error = \(error),
                    promotion_attempts = promotion_attempts + 1,
                    promotion_claimed_until = NULL,
                    promotion_transition_id = coalesce(\(transitionID), promotion_transition_id),
                    promotion_applied_at = CASE WHEN \(state.rawValue) = 'applied'
                                                THEN now() AT TIME ZONE 'UTC' END
                WHERE id = \(id) AND promotion_state = 'pending'
                """
            )
        }
    }
}
