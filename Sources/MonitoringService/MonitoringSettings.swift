package import DriftEngine
package import Foundation

/// The monitoring service's own part of its configuration file.
package struct MonitoringSettings: Decodable, Sendable {
    package struct Artifacts: Decodable, Sendable {
        package var directory: String

        package init(directory: String) {
            self.directory = directory
        }
    }

    /// Where window artifacts go; `./monitoring-artifacts` when absent.
    package var artifacts: Artifacts?
    /// How drift is decided when a request gives no options.
    package var drift: DriftSettings?
    /// Windows run on a schedule, per model.
    package var schedule: [ScheduledWindow]?
    /// How much of a window is held to test it.
    package var windows: Windows?
    /// How long the prediction log keeps a day.
    package var predictions: Predictions?

    package struct Predictions: Decodable, Sendable {
        /// Whole UTC days kept before today; older days are dropped.
        package var retentionDays: Int

        private enum CodingKeys: String, CodingKey { case retentionDays }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            retentionDays =
                try container.decodeIfPresent(Int.self, forKey: .retentionDays)
                ?? PredictionRetention.defaultRetentionDays
            guard PredictionRetention.allowedRetentionDays.contains(retentionDays) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .retentionDays,
                    in: container,
                    debugDescription: "retentionDays must be 1 to 3,650"
                )
            }
        }
    }

    package struct Windows: Decodable, Sendable {
        package static let defaultMaxRowsPerFeature = 200_000
        static let allowedMaxRowsPerFeature = 100...100_000_000

        /// The most values of a numeric feature a window tests: beyond, a
        /// uniform sample of this many (8 bytes and a 64-bit key each).
        package var maxRowsPerFeature: Int

        private enum CodingKeys: String, CodingKey { case maxRowsPerFeature }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            maxRowsPerFeature =
                try container.decodeIfPresent(Int.self, forKey: .maxRowsPerFeature) ?? Self.defaultMaxRowsPerFeature
            guard Self.allowedMaxRowsPerFeature.contains(maxRowsPerFeature) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .maxRowsPerFeature,
                    in: container,
                    debugDescription: "maxRowsPerFeature must be 100 to 100,000,000"
                )
            }
        }
    }

    package init() {}

    package var retention: PredictionRetention {
        PredictionRetention(retentionDays: predictions?.retentionDays ?? PredictionRetention.defaultRetentionDays)
    }

    package var sampleLimit: Int { windows?.maxRowsPerFeature ?? Windows.defaultMaxRowsPerFeature }

    /// The configured options, or the spec's defaults.
    package var driftOptions: DriftConfiguration { drift?.options ?? DriftConfiguration() }

    package var artifactDirectory: URL {
        URL(fileURLWithPath: artifacts?.directory ?? FileManager.default.currentDirectoryPath + "/monitoring-artifacts")
    }
}

/// A window run every `everySeconds`, ending on multiples of it since the
/// epoch: every replica picks the same window ends, so each runs once.
package struct ScheduledWindow: Decodable, Sendable, Equatable {
    package var model: String
    package var everySeconds: Int
    package var lookbackHours: Int

    package init(model: String, everySeconds: Int, lookbackHours: Int) {
        self.model = model
        self.everySeconds = everySeconds
        self.lookbackHours = lookbackHours
    }

    /// The first window end after `now` (milliseconds since the epoch).
    package func nextEnd(after now: Int64) -> Int64 {
        let interval = Int64(everySeconds) * 1000
        return (now / interval + 1) * interval
    }
}

/// `DriftConfiguration` as the configuration file writes them, the shape of the
/// RPC's options: `{"numeric": {"method": "psi", "threshold": 0.2},
/// "perFeature": {"income": {"threshold": 0.01}}, "correction": "bonferroni"}`.
package struct DriftSettings: Decodable, Sendable {
    package struct Choice: Decodable, Sendable {
        package var method: StatTest?
        package var threshold: Double?
    }

    package var perFeature: [String: Choice]?
    package var numeric: Choice?
    package var categorical: Choice?
    package var global: Choice?
    package var datasetDriftShare: Double?
    package var correction: DriftConfiguration.Correction?
    package var includePredictionInRatio: Bool?
    package var jensenShannonBase2: Bool?

    package var options: DriftConfiguration {
        var options = DriftConfiguration()
        for (feature, choice) in perFeature ?? [:] {
            options.featureMethods[feature] = choice.method
            options.featureThresholds[feature] = choice.threshold
        }
        for (kind, choice) in [(ColumnKind.numeric, numeric), (.categorical, categorical)] {
            options.kindMethods[kind] = choice?.method
            options.kindThresholds[kind] = choice?.threshold
        }
        options.method = global?.method
        options.threshold = global?.threshold
        options.driftShare = datasetDriftShare ?? options.driftShare
        options.correction = correction ?? .none
        options.predictionInRatio = includePredictionInRatio ?? false
        options.jensenShannonBase2 = jensenShannonBase2 ?? false
        return options
    }
}
