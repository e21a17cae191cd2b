import MLOpsPostgres

/// The registry's schema. `model_versions` and `v_model_timeline` are the
/// seed's, their columns kept (the seed's `model_version` text and
/// `mlflow_run_id` included) and extended with what MLflow's registry needs.
/// Timestamps the API shows are milliseconds since the epoch, as MLflow's;
/// the seed's `timestamp` columns hold the same instants in UTC.
enum RegistryMigrations {
    static let migrator = Migrator(
        service: "model_registry",
        migrations: [
            initial, modelRowsUpdatedInPlace, versionTimestampUnindexed, idempotencyKeys,
        ]
    )

    static let initial = Migration(
        version: 1,
        name: "registered models, versions, tags, aliases, transitions, v_model_timeline",
        sql: """
            CREATE TABLE registered_models (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                -- Byte order: searches sort the same on every server, whatever its locale.
                name text COLLATE "C" NOT NULL UNIQUE,
                description text NOT NULL DEFAULT '',
                created_by text NOT NULL,
                last_updated_by text NOT NULL,
                creation_timestamp bigint NOT NULL,
                last_updated_timestamp bigint NOT NULL,
                -- The highest version number ever used: deleted versions' numbers are never reused.
                last_version bigint NOT NULL DEFAULT 0
            );
            CREATE INDEX registered_models_last_updated ON registered_models (last_updated_timestamp, name);

            CREATE TABLE model_versions (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                model_name text COLLATE "C" NOT NULL,
                model_version varchar(50) GENERATED ALWAYS AS (version::text) STORED,
                mlflow_run_id text NOT NULL DEFAULT '',
                stage varchar(50) NOT NULL DEFAULT 'None'
                    CHECK (stage IN ('None', 'Staging', 'Production', 'Archived')),
                f1_score double precision,
                brier_score double precision,
                promoted_at timestamp,
                promoted_by varchar(255),
                created_at timestamp DEFAULT CURRENT_TIMESTAMP,
                model_id uuid NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
                version bigint NOT NULL CHECK (version > 0),
                description text NOT NULL DEFAULT '',
                source text NOT NULL DEFAULT '',
                run_link text NOT NULL DEFAULT '',
                status text NOT NULL DEFAULT 'READY',
                status_message text NOT NULL DEFAULT '',
                created_by text NOT NULL,
                last_updated_by text NOT NULL,
                creation_timestamp bigint NOT NULL,
                last_updated_timestamp bigint NOT NULL,
                -- The newest history row about this version: watchers skip older news.
                last_transition_id bigint NOT NULL DEFAULT 0,
                UNIQUE (model_name, model_version),
                UNIQUE (model_id, version)
            );
            CREATE INDEX model_versions_stage ON model_versions (model_id, stage, version DESC);
            CREATE INDEX model_versions_promoted_at ON model_versions (promoted_at);
            CREATE INDEX model_versions_last_updated ON model_versions
                (last_updated_timestamp DESC, model_name, version DESC);

            CREATE TABLE registered_model_tags (
                model_id uuid NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
                key text NOT NULL,
                value text NOT NULL,
                PRIMARY KEY (model_id, key)
            );
            CREATE TABLE model_version_tags (
                version_id uuid NOT NULL REFERENCES model_versions (id) ON DELETE CASCADE,
                key text NOT NULL,
                value text NOT NULL,
                PRIMARY KEY (version_id, key)
            );
            CREATE TABLE registered_model_aliases (
                model_id uuid NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
                alias text NOT NULL,
                version bigint NOT NULL,
                PRIMARY KEY (model_id, alias)
            );

            -- One row per stage or alias change. No foreign key: the history
            -- outlives deleted models, told apart by model_id.
            CREATE TABLE model_transitions (
                id bigserial PRIMARY KEY,
                kind text NOT NULL CHECK (kind IN ('stage', 'alias_set', 'alias_deleted')),
                model_id uuid NOT NULL,
                model_name text NOT NULL,
                version bigint NOT NULL,
                from_stage text NOT NULL DEFAULT '',
                to_stage text NOT NULL DEFAULT '',
                alias text NOT NULL DEFAULT '',
                actor text NOT NULL,
                comment text NOT NULL DEFAULT '',
                decision_id text NOT NULL DEFAULT '',
                archived_by_version bigint NOT NULL DEFAULT 0,
                timestamp bigint NOT NULL
            );
            CREATE INDEX model_transitions_model ON model_transitions (model_id, version, id DESC);
            CREATE INDEX model_transitions_name ON model_transitions (model_name, id DESC);

            -- The seed's promotion timeline: every stage change, oldest first.
            CREATE VIEW v_model_timeline AS
            SELECT t.id,
                   to_timestamp(t.timestamp / 1000.0) AT TIME ZONE 'UTC' AS changed_at,
                   t.model_name, t.version AS model_version, t.from_stage, t.to_stage,
                   t.actor AS changed_by, t.comment, t.decision_id, t.archived_by_version
            FROM model_transitions t
            WHERE t.kind = 'stage'
            ORDER BY t.id;
            """
    )

    /// Every write to a model also updates its row (version counter,
    /// timestamp). With the timestamp indexed, each update added an entry to
    /// every index of the table, and lookups by name waded through the dead
    /// ones until the next vacuum: promotions lost a third of their speed
    /// within seconds. Unindexed, the updates stay on their page (HOT) and
    /// touch no index; searches ordered by the timestamp sort the models.
    static let modelRowsUpdatedInPlace = Migration(
        version: 2,
        name: "registered_models rows updated in place: no index on last_updated_timestamp, fillfactor 50",
        sql: """
            DROP INDEX registered_models_last_updated;
            ALTER TABLE registered_models SET (fillfactor = 50);
            """
    )

    /// Every write to a version moves its timestamp, so with the timestamp
    /// indexed no edit could stay on its page: each added an entry to every
    /// index of the table, for searches that can sort instead. Edits that
    /// leave the stage alone (description, who, when) now stay on their page;
    /// a stage change still adds entries (the stage is indexed), one fewer.
    static let versionTimestampUnindexed = Migration(
        version: 3,
        name: "model_versions: no index on last_updated_timestamp",
        sql: "DROP INDEX model_versions_last_updated;"
    )

    /// A write's answer kept under its caller's idempotency key, written in
    /// the write's own transaction: a retry finds it exactly when the write
    /// committed. Kept for seven days.
    static let idempotencyKeys = Migration(
        version: 4,
        name: "registry_idempotency: answers of keyed writes",
        sql: """
            CREATE TABLE registry_idempotency (
                caller text NOT NULL,
                key text NOT NULL,
                method text NOT NULL,
                fingerprint bytea NOT NULL,
                response bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (caller, key)
            );
            CREATE INDEX registry_idempotency_created ON registry_idempotency (created_at);
            """
    )
}
