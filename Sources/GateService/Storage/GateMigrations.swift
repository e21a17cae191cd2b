package import MLOpsPostgres

/// The retraining gate's schema. `retraining_decisions` and
/// `v_decision_history` are the seed's, their columns kept, plus what the
/// gate spec lists: the model, the candidate and production versions, the
/// idempotency key (and what was asked under it), the caller's identity,
/// and the promotion's state, so a pending promotion is found and retried.
package enum GateMigrations {
    package static let migrator = Migrator(service: "retraining_gate", migrations: [initial, promotionClaims])

    static let initial = Migration(
        version: 1,
        name: "retraining_decisions and v_decision_history",
        sql: """
            CREATE TABLE retraining_decisions (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                timestamp timestamp NOT NULL,
                trigger_reason varchar(50) NOT NULL,
                action varchar(10) NOT NULL CHECK (action IN ('promote', 'reject')),
                drift_context jsonb,
                data_context jsonb,
                decision_details jsonb,
                labeled_samples integer,
                coverage_pct double precision,
                created_at timestamp DEFAULT CURRENT_TIMESTAMP,
                model_name text NOT NULL,
                candidate_version bigint NOT NULL,
                production_version bigint,
                idempotency_key text UNIQUE,
                request_fingerprint text,
                decided_by text NOT NULL,
                promotion_state text NOT NULL DEFAULT 'none'
                    CHECK (promotion_state IN ('none', 'pending', 'applied', 'failed', 'superseded')),
                promotion_attempts integer NOT NULL DEFAULT 0,
                promotion_error text,
                promotion_applied_at timestamp
            );
            CREATE INDEX retraining_decisions_timestamp ON retraining_decisions (timestamp DESC);
            CREATE INDEX retraining_decisions_action ON retraining_decisions (action, timestamp DESC);
            CREATE INDEX retraining_decisions_model ON retraining_decisions (model_name, timestamp DESC);
            CREATE INDEX retraining_decisions_pending ON retraining_decisions (timestamp)
                WHERE promotion_state = 'pending';

            -- The seed's decision history: every decision, newest first.
            CREATE VIEW v_decision_history AS
            SELECT id, timestamp, model_name, candidate_version, production_version, trigger_reason, action,
                   labeled_samples, coverage_pct, drift_context, data_context, decision_details, decided_by,
                   promotion_state
            FROM retraining_decisions
            ORDER BY timestamp DESC;
            """
    )

    static let promotionClaims = Migration(
        version: 2,
        name: "promotion claims and the registry transition that applied each",
        sql: """
            ALTER TABLE retraining_decisions
                -- A promotion being applied is claimed until then; a claim that lapses
                -- (its gate died) lets any replica retry it.
                ADD COLUMN promotion_claimed_until timestamp,
                ADD COLUMN promotion_transition_id bigint;
            """
    )
}
