import DriftEngine
import Foundation
import MLOpsMessages
import MLOpsRPC

// Between the wire's messages and the service's own types.

extension DatasetSchema {
    init?(_ features: [FeatureSchema]) throws {
        guard !features.isEmpty else { return nil }
        self.init(
            features: try features.map { feature in
                switch feature.type {
                case .numeric: .init(name: feature.name, kind: .numeric)
                case .categorical: .init(name: feature.name, kind: .categorical)
                default:
                    throw ServiceRefusal.invalid(
                        "feature '\(feature.name)' has no type: give NUMERIC or CATEGORICAL"
                    )
                }
            }
        )
    }

    var message: [FeatureSchema] {
        features.map { FeatureSchema(name: $0.name, type: $0.kind == .numeric ? .numeric : .categorical) }
    }
}

extension StatTest {
    init?(_ method: DriftMethod) throws {
        switch method {
        case .unspecified: return nil
        case .kolmogorovSmirnov: self = .kolmogorovSmirnov
        case .chiSquare: self = .chiSquare
        case .zTest: self = .zTest
        case .wassersteinNormed: self = .wasserstein
        case .jensenShannon: self = .jensenShannon
        case .psi: self = .psi
        case .unrecognized(let value):
            throw ServiceRefusal.invalid("drift method \(value) is not one this service knows")
        }
    }

    var message: DriftMethod {
        switch self {
        case .kolmogorovSmirnov: .kolmogorovSmirnov
        case .chiSquare: .chiSquare
        case .zTest: .zTest
        case .wasserstein: .wassersteinNormed
        case .jensenShannon: .jensenShannon
        case .psi: .psi
        }
    }
}

extension DriftConfiguration {
    /// A request's options, which replace the configured ones for its run.
    init(_ options: DriftOptions) throws {
        self.init()
        func validThreshold(_ choice: DriftTestChoice, _ name: String) throws -> Double? {
            guard let value = choice.threshold else { return nil }
            guard value.isFinite, value >= 0 else {
                throw ServiceRefusal.invalid("the \(name) threshold \(value) is not a finite number ≥ 0")
            }
            return value
        }
        for (feature, choice) in options.perFeature {
            featureMethods[feature] = try StatTest(choice.method)
            featureThresholds[feature] = try validThreshold(choice, "'\(feature)'")
        }
        for (kind, choice) in [(ColumnKind.numeric, options.numeric), (.categorical, options.categorical)] {
            guard let choice else { continue }
            kindMethods[kind] = try StatTest(choice.method)
            kindThresholds[kind] = try validThreshold(choice, kind.rawValue)
        }
        if let global = options.global {
            method = try StatTest(global.method)
            threshold = try validThreshold(global, "global")
        }
        if let share = options.datasetDriftShare {
            guard share.isFinite, share > 0, share <= 1 else {
                throw ServiceRefusal.invalid("dataset_drift_share \(share) is outside (0, 1]")
            }
            driftShare = share
        }
        switch options.correction {
        case .unspecified, .none: correction = .none
        case .bonferroni: correction = .bonferroni
        case .benjaminiHochberg: correction = .benjaminiHochberg
        case .unrecognized(let value):
            throw ServiceRefusal.invalid("correction \(value) is not one this service knows")
        }
        predictionInRatio = options.includePredictionInRatio
        jensenShannonBase2 = options.jensenShannonBase2
    }
}

extension FeatureDrift {
    init(_ column: ColumnDrift) {
        self.init(
            feature: column.feature,
            type: column.kind == .numeric ? .numeric : .categorical,
            method: column.method?.message ?? .unspecified,
            statistic: column.statistic,
            pValue: column.pValue,
            score: column.method.map { $0.givesPValue ? nil : column.score } ?? nil,
            threshold: column.threshold,
            drifted: column.drifted,
            skipped: column.skipped != nil,
            skipReason: column.skipped ?? "",
            referenceCount: Int64(column.referenceCount),
            currentCount: Int64(column.currentCount),
            currentPopulation: Int64(column.currentPopulation ?? 0)
        )
    }
}

extension MonitoringMetrics {
    init(_ record: MetricsRecord) {
        self.init(
            id: record.id.uuidString.lowercased(),
            timestamp: record.timestamp,
            modelName: record.modelName,
            lookbackHours: record.lookbackHours,
            numPredictions: record.predictions,
            positiveRate: record.positiveRate,
            probabilityMean: record.probabilityMean,
            probabilityStd: record.probabilityStd,
            entropy: record.entropy,
            datasetDriftDetected: record.datasetDrift,
            featureDriftRatio: record.featureDriftRatio,
            numDriftedFeatures: record.driftedFeatures,
            driftSummaryRef: record.summaryRef,
            driftReportRef: record.reportRef,
            referenceVersion: record.referenceVersion,
            labeledPredictions: record.labeled,
            labelCoverage: record.labelCoverage,
            reason: record.reason,
            createdAt: record.createdAt,
            revision: record.revision,
            computedBy: record.computedBy
        )
    }
}

extension ReferenceDataset {
    init(_ record: ReferenceRecord) {
        self.init(
            modelName: record.modelName,
            version: record.version,
            source: record.source == .upload ? .upload : .window,
            schema: record.schema.message,
            rowCount: record.rowCount,
            windowStart: record.windowStart,
            windowEnd: record.windowEnd,
            createdAt: record.createdAt,
            createdBy: record.createdBy
        )
    }
}
