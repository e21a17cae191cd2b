package import MLOpsPostgres

/// The monitoring service's schema. `monitoring_metrics` and
/// `v_recent_monitoring` are the seed's, their columns kept; each row also
/// says which model it is about and which reference it was measured
/// against, so its window key is per model. Then the prediction log, labels
/// joining it later.
package enum MonitoringMigrations {
    package static let migrator = Migrator(
        service: "monitoring",
        migrations: [
            initial, predictionLog, referencesAndResults, windowIdentity, windowClaims, partitionedPredictions,
        ]
    )

    static let initial = Migration(
        version: 1,
        name: "monitoring_metrics and v_recent_monitoring",
        sql: """
            CREATE TABLE monitoring_metrics (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                timestamp timestamp NOT NULL,
                lookback_hours integer NOT NULL,
                num_predictions integer NOT NULL,
                positive_rate double precision,
                probability_mean double precision,
                probability_std double precision,
                entropy double precision,
                dataset_drift_detected boolean DEFAULT false,
                feature_drift_ratio double precision DEFAULT 0.0,
                num_drifted_features integer DEFAULT 0,
                drift_summary_ref text,
                drift_report_ref text,
                created_at timestamp DEFAULT CURRENT_TIMESTAMP,
                model_name text NOT NULL,
                -- The reference dataset (its version) the window was compared with.
                reference_id uuid,
                labeled_predictions integer,
                -- One row per window: running a window again returns the stored row.
                UNIQUE (model_name, timestamp)
            );
            CREATE INDEX monitoring_metrics_timestamp ON monitoring_metrics (timestamp DESC);
            CREATE INDEX monitoring_metrics_drift ON monitoring_metrics (model_name, dataset_drift_detected, timestamp DESC);
            CREATE INDEX monitoring_metrics_drift_ratio ON monitoring_metrics (feature_drift_ratio);

            -- The seed's latest monitoring metrics: the last seven days, newest first.
            CREATE VIEW v_recent_monitoring AS
            SELECT id, model_name, timestamp, lookback_hours, num_predictions, positive_rate, probability_mean,
                   probability_std, entropy, dataset_drift_detected, feature_drift_ratio, num_drifted_features,
                   drift_summary_ref, drift_report_ref, reference_id, labeled_predictions
            FROM monitoring_metrics
            WHERE timestamp > (now() AT TIME ZONE 'UTC') - interval '7 days'
            ORDER BY timestamp DESC;
            """
    )

    static let predictionLog = Migration(
        version: 2,
        name: "the prediction log, labelled later",
        sql: """
            CREATE TABLE predictions (
                model_name text NOT NULL,
                prediction_id text NOT NULL,
                model_version bigint NOT NULL,
                timestamp timestamp NOT NULL,
                -- Feature name → value; a missing (or non-finite) feature is left out.
                numeric_features jsonb NOT NULL DEFAULT '{}',
                categorical_features jsonb NOT NULL DEFAULT '{}',
                probability double precision NOT NULL CHECK (probability >= 0 AND probability <= 1),
                predicted_label smallint NOT NULL CHECK (predicted_label IN (0, 1)),
                label smallint CHECK (label IN (0, 1)),
                labeled_at timestamp,
                received_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
                -- A prediction id is stored once per model: retried batches are safe.
                PRIMARY KEY (model_name, prediction_id)
            );
            CREATE INDEX predictions_window ON predictions (model_name, timestamp);
            CREATE INDEX predictions_id ON predictions (prediction_id);
            """
    )

    static let referencesAndResults = Migration(
        version: 3,
        name: "reference datasets, and each window's full result",
        sql: """
            -- An upload is a row without a version until it is committed; the
            -- version in force is the model's highest.
            CREATE TABLE reference_datasets (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                model_name text NOT NULL,
                version bigint,
                source text NOT NULL CHECK (source IN ('upload', 'window')),
                schema jsonb NOT NULL DEFAULT '[]',
                row_count bigint NOT NULL DEFAULT 0,
                window_start timestamp,
                window_end timestamp,
                created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
                created_by text NOT NULL,
                committed_at timestamp,
                UNIQUE (model_name, version)
            );
            -- Copied in, so that a reference outlives the prediction log it came from.
            CREATE TABLE reference_rows (
                reference_id uuid NOT NULL REFERENCES reference_datasets (id) ON DELETE CASCADE,
                numeric_features jsonb NOT NULL DEFAULT '{}',
                categorical_features jsonb NOT NULL DEFAULT '{}',
                probability double precision CHECK (probability >= 0 AND probability <= 1)
            );
            CREATE INDEX reference_rows_reference ON reference_rows (reference_id);

            ALTER TABLE monitoring_metrics
                ADD FOREIGN KEY (reference_id) REFERENCES reference_datasets (id),
                -- Why a window has no verdict (empty, no reference, nothing testable).
                ADD COLUMN reason text,
                -- The window's whole result, as in its JSON summary: replays and reads answer from it.
                ADD COLUMN summary jsonb;
            """
    )

    static let windowIdentity = Migration(
        version: 4,
        name: "a window is its model, end and lookback; recomputes are counted and signed",
        sql: """
            ALTER TABLE monitoring_metrics
                DROP CONSTRAINT monitoring_metrics_model_name_timestamp_key,
                ADD CONSTRAINT monitoring_metrics_window UNIQUE (model_name, timestamp, lookback_hours),
                ADD COLUMN revision integer NOT NULL DEFAULT 1,
                ADD COLUMN computed_by text,
                ADD COLUMN recomputed_at timestamp;
            """
    )

    /// Who is computing a window, so that its computation holds no database
    /// connection and still runs once: a claim stands until it is released
    /// with the result or its time runs out (its claimant died).
    static let windowClaims = Migration(
        version: 5,
        name: "a window being computed is claimed, not locked",
        sql: """
            CREATE TABLE monitoring_window_claims (
                model_name text NOT NULL,
                window_end timestamp NOT NULL,
                lookback_hours integer NOT NULL,
                claimed_by text NOT NULL,
                claimed_until timestamp NOT NULL,
                PRIMARY KEY (model_name, window_end, lookback_hours)
            );
            """
    )

    /// The prediction log becomes one partition a UTC day, so that retention
    /// drops whole days and a window reads only its own. A partitioned
    /// table's keys must hold its partition key: a prediction is now unique
    /// per model, id and timestamp (a retried batch is still stored once).
    /// The rows of the unpartitioned table are moved in, each day into a
    /// partition of its own.
    static let partitionedPredictions = Migration(
        version: 6,
        name: "the prediction log partitioned by day",
        sql: """
            ALTER TABLE predictions RENAME TO predictions_unpartitioned;
            ALTER INDEX predictions_pkey RENAME TO predictions_unpartitioned_pkey;
            DROP INDEX predictions_window;
            DROP INDEX predictions_id;

            CREATE TABLE predictions (
                model_name text NOT NULL,
                prediction_id text NOT NULL,
                model_version bigint NOT NULL,
                timestamp timestamp NOT NULL,
                numeric_features jsonb NOT NULL DEFAULT '{}',
                categorical_features jsonb NOT NULL DEFAULT '{}',
                probability double precision NOT NULL CHECK (probability >= 0 AND probability <= 1),
                predicted_label smallint NOT NULL CHECK (predicted_label IN (0, 1)),
                label smallint CHECK (label IN (0, 1)),
                labeled_at timestamp,
                received_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
                PRIMARY KEY (model_name, prediction_id, timestamp)
            ) PARTITION BY RANGE (timestamp);
            CREATE INDEX predictions_window ON predictions (model_name, timestamp);

            -- Made apart and attached, which locks the log only against other DDL
            -- (CREATE TABLE ... PARTITION OF would stop every insert and read meanwhile).
            CREATE FUNCTION monitoring_create_prediction_partition(day date) RETURNS void
            LANGUAGE plpgsql AS $$
            DECLARE
                name text := 'predictions_' || to_char(day, 'YYYYMMDD');
            BEGIN
                IF to_regclass(name) IS NOT NULL THEN
                    RETURN;
                END IF;
                EXECUTE format('CREATE TABLE %I (LIKE predictions INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
                EXECUTE format('ALTER TABLE predictions ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                               name, day::timestamp, (day + 1)::timestamp);
            END $$;

            SELECT monitoring_create_prediction_partition(day)
            FROM (SELECT DISTINCT timestamp::date AS day FROM predictions_unpartitioned) AS days;
            INSERT INTO predictions (model_name, prediction_id, model_version, timestamp, numeric_features,
                                     categorical_features, probability, predicted_label, label, labeled_at,
                                     received_at)
            SELECT model_name, prediction_id, model_version, timestamp, numeric_features, categorical_features,
                   probability, predicted_label, label, labeled_at, received_at
            FROM predictions_unpartitioned;
            DROP TABLE predictions_unpartitioned;
            """
    )
}
