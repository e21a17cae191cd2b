package import DriftEngine
import Foundation
package import Logging
package import MLOpsPostgres
import MLOpsRPC
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs monitoring windows: reads the window's predictions and the
/// reference in force, computes drift and statistics, leaves the JSON
/// summary and HTML report, and writes exactly one `monitoring_metrics`
/// row per window: (model, end, lookback). Asked to, it computes a window
/// again and replaces the row, whose revision counts the times and names who
/// asked last (earlier revisions' artifacts stay on disk).
///
/// A window runs in three steps, and only the first and last hold a
/// database connection: read (one transaction, under a lock on the window's
/// key, which also claims the window), compute (on a thread of its own,
/// holding nothing), write (a second short transaction that stores the row
/// and releases the claim). Replicas and retries that ask for a window
/// being computed wait for its row and replay it, so each window is
/// computed once; a claim whose claimant died runs out after `claimTime`.
package struct MonitoringWindows: Sendable {
    let pool: PostgresPool
    let references: ReferenceStore
    let artifacts: ArtifactStore
    let defaultOptions: DriftConfiguration
    let logger: Logger
    let claimTime: Duration
    /// The most values of a numeric feature a window tests; beyond, a uniform sample of this many.
    let sampleLimit: Int
    /// Fault injection for the tests: a pause at the start of the
    /// computation, as a slow report would take.
    let pauseWhileComputing: Duration?

    package init(
        pool: PostgresPool,
        references: ReferenceStore,
        artifacts: ArtifactStore,
        defaultOptions: DriftConfiguration,
        logger: Logger,
        claimTime: Duration = .seconds(600),
        sampleLimit: Int = MonitoringSettings.Windows.defaultMaxRowsPerFeature,
        pauseWhileComputing: Duration? = nil
    ) {
        self.pool = pool
        self.references = references
        self.artifacts = artifacts
        self.defaultOptions = defaultOptions
        self.logger = logger
        self.claimTime = claimTime
        self.sampleLimit = sampleLimit
        self.pauseWhileComputing = pauseWhileComputing
    }

    package struct Outcome: Sendable {
        package var metrics: MetricsRecord
        package var summary: WindowSummary
        /// The window had run before; this is its stored result.
        package var replayed: Bool
    }

    package static let maximumLookbackHours = 24 * 366

    /// Runs (or replays, unless `recompute`) the window (asOf − lookback,
    /// asOf]; `asOf` 0 means now. `caller` is recorded with the result.
    package func run(
        model: String,
        lookbackHours: Int,
        asOf: Int64,
        options: DriftConfiguration?,
        recompute: Bool = false,
        caller: String
    ) async throws -> Outcome {
        // Waiting for another claimant always ends in an outcome.
        try await run(
            model: model,
            lookbackHours: lookbackHours,
            asOf: asOf,
            options: options,
            recompute: recompute,
            caller: caller,
            waitingForOthers: true
        )!
    }

    /// The same, but nil at once when another replica is computing the
    /// window: what the scheduler asks, which needs no answer, only the work done once.
    package func runUnlessClaimed(model: String, lookbackHours: Int, asOf: Int64, caller: String) async throws
        -> Outcome?
    {
        try await run(
            model: model,
            lookbackHours: lookbackHours,
            asOf: asOf,
            options: nil,
            recompute: false,
            caller: caller,
            waitingForOthers: false
        )
    }

    private func run(
        model: String,
        lookbackHours: Int,
        asOf: Int64,
        options: DriftConfiguration?,
        recompute: Bool,
        caller: String,
        waitingForOthers: Bool
    ) async throws -> Outcome? {
        guard !model.isEmpty else { throw ServiceRefusal.invalid("the model name is empty") }
        guard (1...Self.maximumLookbackHours).contains(lookbackHours) else {
            throw ServiceRefusal.invalid(
                "lookback_hours \(lookbackHours) is outside 1...\(Self.maximumLookbackHours)"
            )
        }
        guard asOf >= 0 else { throw ServiceRefusal.invalid("as_of \(asOf) is before 1970") }
        let end = EpochMilliseconds.orNow(asOf)
        let key = WindowKey(model: model, end: end, lookbackHours: lookbackHours)
        let claim = "\(caller) \(UUID().uuidString.lowercased())"
        var pause = Duration.milliseconds(20)
        while true {
            switch try await read(key, recompute: recompute, claim: claim) {
            case .stored(let outcome):
                return outcome
            case .beingComputed:
                guard waitingForOthers else { return nil }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(1))
            case .claimed(let input):
                return try await computeAndWrite(input, options ?? defaultOptions, recompute, caller, claim)
            }
        }
    }

    /// A window's identity, and the lock that serialises what is done to it.
    struct WindowKey {
        var model: String
        var end: Int64
        var lookbackHours: Int

        var start: Int64 { end - Int64(lookbackHours) * 3_600_000 }

        func lock(_ connection: PostgresConnection) throws {
            try connection.query(
                """
                SELECT pg_advisory_xact_lock(
                    hashtextextended('window ' || \(model) || ' ' || \(end) || ' ' || \(lookbackHours), 0))
                """
            )
        }
    }

    private enum ReadResult: Sendable {
        case stored(Outcome)
        case beingComputed
        case claimed(WindowInput)
    }

    /// Step one: the stored result, or a claim that is not ours, or our
    /// claim and everything the computation needs. Read committed: the lock
    /// is taken first, and each statement then sees what committed before it.
    private func read(_ key: WindowKey, recompute: Bool, claim: String) async throws -> ReadResult {
        let claimMilliseconds = claimTime.components.seconds * 1000
        return try await pool.withTransaction { connection in
            try key.lock(connection)
            if !recompute, let stored = try Self.stored(key, connection) { return .stored(stored) }
            let claimed = try connection.query(
                """
                INSERT INTO monitoring_window_claims AS c (model_name, window_end, lookback_hours, claimed_by, claimed_until)
                VALUES (\(key.model), \(EpochMilliseconds(key.end)), \(key.lookbackHours), \(claim),
                    now() AT TIME ZONE 'UTC' + \(claimMilliseconds) * interval '1 millisecond')
                ON CONFLICT (model_name, window_end, lookback_hours) DO UPDATE
                    SET claimed_by = excluded.claimed_by, claimed_until = excluded.claimed_until
                    WHERE c.claimed_until <= now() AT TIME ZONE 'UTC'
                RETURNING 1
                """
            )
            guard claimed.count == 1 else { return .beingComputed }
            return .claimed(try readInput(key, connection))
        }
    }

    /// The reference, then the window's rows through a cursor, a chunk at a
    /// time, into a bounded sample: memory stays flat however large the window.
    private func readInput(_ key: WindowKey, _ connection: PostgresConnection) throws -> WindowInput {
        let started = ContinuousClock.now
        let reference = try ReferenceStore.current(model: key.model, version: 0, connection)
        let referenceTable = try reference.map { reference in
            try references.cache.table(reference.id) { try ReferenceStore.rows(of: reference.id, connection) }
        }
        try connection.query(
            """
            DECLARE window_rows NO SCROLL CURSOR FOR
            SELECT prediction_id, numeric_features, categorical_features, probability, label IS NOT NULL
            FROM predictions
            WHERE model_name = \(key.model) AND timestamp > \(EpochMilliseconds(key.start))
                AND timestamp <= \(EpochMilliseconds(key.end))
            """
        )
        let seed = SampleKey.seed(model: key.model, windowEnd: key.end, lookbackHours: key.lookbackHours)
        var window = WindowSample.Builder(schema: reference?.schema, capacity: sampleLimit)
        var (numeric, categorical) = (FeatureJSONReader(), FeatureJSONReader())
        var labeled = 0
        while true {
            let rows = try connection.query("FETCH FORWARD 10000 FROM window_rows")
            guard rows.count > 0 else { break }
            for row in 0..<rows.count {
                rows.withUnsafeText(row: row, column: 0) { id in
                    let bytes = UnsafeRawBufferPointer(start: id, count: strlen(id))
                    window.beginRow(key: SampleKey.key(id: bytes, seed: seed))
                }
                try rows.withUnsafeText(row: row, column: 1) { try numeric.read($0, into: &window) }
                try rows.withUnsafeText(row: row, column: 2) { try categorical.read($0, into: &window) }
                window.endRow(probability: try rows.value(Double.self, row: row, column: 3))
                if try rows.value(Bool.self, row: row, column: 4) == true { labeled += 1 }
            }
        }
        try connection.query("CLOSE window_rows")
        return WindowInput(
            model: key.model,
            start: key.start,
            end: key.end,
            lookbackHours: key.lookbackHours,
            reference: reference,
            referenceTable: referenceTable,
            current: window.build(),
            labeled: labeled,
            sampleLimit: sampleLimit,
            readTime: .now - started
        )
    }

    /// Steps two and three. Whatever fails, the claim is released, so those
    /// waiting for the window try it themselves instead of waiting it out.
    private func computeAndWrite(
        _ input: WindowInput,
        _ options: DriftConfiguration,
        _ recompute: Bool,
        _ caller: String,
        _ claim: String
    ) async throws -> Outcome {
        let started = ContinuousClock.now
        let key = WindowKey(model: input.model, end: input.end, lookbackHours: input.lookbackHours)
        let computed: ComputedWindow
        do {
            if let pauseWhileComputing { try await Task.sleep(for: pauseWhileComputing) }
            computed = try await NIOThreadPool.singleton.runIfActive { [artifacts] in
                try input.compute(options, artifacts: artifacts)
            }
        } catch {
            release(key, claim)
            throw error
        }
        let outcome: Outcome
        do {
            outcome = try await write(computed, key, recompute: recompute, caller: caller, claim: claim)
        } catch {
            await removeFiles(computed.refs)
            release(key, claim)
            throw error
        }
        if outcome.replayed {
            await removeFiles(computed.refs)  // another claimant stored the window first
        } else {
            logger.info(
                "window analysed",
                metadata: [
                    "model": "\(input.model)", "window_end": "\(input.end)",
                    "predictions": "\(outcome.summary.predictions)",
                    "dataset_drift": "\(outcome.summary.datasetDrift)",
                    "drift_ratio": "\(outcome.summary.featureDriftRatio)",
                    "read_seconds": "\(Self.seconds(input.readTime))",
                    "seconds": "\(Self.seconds(.now - started))",
                ]
            )
        }
        return outcome
    }

    /// Files are removed on a thread-pool thread: calls run on their connection's event loop.
    private func removeFiles(_ refs: (summary: String, report: String)) async {
        _ = try? await NIOThreadPool.singleton.runIfActive { [artifacts] in artifacts.remove(refs) }
    }

    /// Drops a claim that will not be completed. Unstructured: the caller may
    /// be gone (cancelled), and the claim must go all the same.
    private func release(_ key: WindowKey, _ claim: String) {
        Task { [pool, logger] in
            do {
                _ = try await pool.withConnection { connection in
                    try Self.deleteClaim(key, claim, connection)
                }
            } catch {
                logger.warning(
                    "could not release a window's claim; it runs out by itself",
                    metadata: ["model": "\(key.model)", "window_end": "\(key.end)", "error": "\(error)"]
                )
            }
        }
    }

    private static func deleteClaim(_ key: WindowKey, _ claim: String, _ connection: PostgresConnection) throws {
        try connection.query(
            """
            DELETE FROM monitoring_window_claims WHERE model_name = \(key.model)
                AND window_end = \(EpochMilliseconds(key.end)) AND lookback_hours = \(key.lookbackHours)
                AND claimed_by = \(claim)
            """
        )
    }

    /// Step three: the row, guarded by the window's unique key (a claim that
    /// ran out may have let another replica store it first: then that row
    /// stands, unless this was a recompute), and the claim released.
    private func write(
        _ computed: ComputedWindow,
        _ key: WindowKey,
        recompute: Bool,
        caller: String,
        claim: String
    ) async throws -> Outcome {
        try await pool.withTransaction { connection in
            try key.lock(connection)
            try Self.deleteClaim(key, claim, connection)
            if !recompute, let stored = try Self.stored(key, connection) { return stored }
            let summary = computed.summary
            let statistics = summary.statistics
            let input = computed.input
            let rows = try connection.query(
                """
                WITH m AS (
                    INSERT INTO monitoring_metrics (
                        timestamp, model_name, lookback_hours, num_predictions, positive_rate, probability_mean,
                        probability_std, entropy, dataset_drift_detected, feature_drift_ratio, num_drifted_features,
                        drift_summary_ref, drift_report_ref, reference_id, labeled_predictions, reason, summary,
                        computed_by)
                    VALUES (
                        \(EpochMilliseconds(key.end)), \(key.model), \(key.lookbackHours), \(summary.predictions),
                        \(statistics?.positiveRate), \(statistics?.mean), \(statistics?.standardDeviation),
                        \(statistics?.entropy), \(summary.datasetDrift), \(summary.featureDriftRatio),
                        \(summary.driftedFeatures), \(computed.refs.summary), \(computed.refs.report),
                        \(input.reference?.id), \(input.labeled), \(summary.reason),
                        \(String(decoding: computed.json, as: UTF8.self))::jsonb, \(caller))
                    -- A recompute replaces the window's result; created_at stays the first computation's.
                    ON CONFLICT ON CONSTRAINT monitoring_metrics_window DO UPDATE SET
                        num_predictions = excluded.num_predictions, positive_rate = excluded.positive_rate,
                        probability_mean = excluded.probability_mean, probability_std = excluded.probability_std,
                        entropy = excluded.entropy, dataset_drift_detected = excluded.dataset_drift_detected,
                        feature_drift_ratio = excluded.feature_drift_ratio,
                        num_drifted_features = excluded.num_drifted_features,
                        drift_summary_ref = excluded.drift_summary_ref, drift_report_ref = excluded.drift_report_ref,
                        reference_id = excluded.reference_id, labeled_predictions = excluded.labeled_predictions,
                        reason = excluded.reason, summary = excluded.summary, computed_by = excluded.computed_by,
                        revision = monitoring_metrics.revision + 1,
                        recomputed_at = now() AT TIME ZONE 'UTC'
                    RETURNING *
                )
                SELECT \(fragment: MetricsRecord.columns) FROM m LEFT JOIN reference_datasets r ON r.id = m.reference_id
                """
            )
            return Outcome(metrics: try MetricsRecord(rows: rows, at: 0), summary: summary, replayed: false)
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let elapsed = duration.components
        return String(format: "%.3f", Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
    }

    /// The window's stored row and summary, if it has run.
    static func stored(_ key: WindowKey, _ connection: PostgresConnection) throws -> Outcome? {
        let rows = try connection.query(
            """
            SELECT \(fragment: MetricsRecord.columns), m.summary FROM \(fragment: MetricsRecord.from)
            WHERE m.model_name = \(key.model) AND m.timestamp = \(EpochMilliseconds(key.end))
                AND m.lookback_hours = \(key.lookbackHours)
            """
        )
        guard rows.count == 1 else { return nil }
        let metrics = try MetricsRecord(rows: rows, at: 0)
        return Outcome(
            metrics: metrics,
            summary: try storedSummary(rows, row: 0, column: rows.columns.count - 1) ?? WindowSummary(metrics),
            replayed: true
        )
    }

    /// nil for rows written without one (the seed's own inserts).
    static func storedSummary(_ rows: PostgresRows, row: Int, column: Int) throws -> WindowSummary? {
        try rows.text(row: row, column: column).map { try WindowSummary.decode(Data($0.utf8)) }
    }
}
