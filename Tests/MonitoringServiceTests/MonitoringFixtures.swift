import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import Testing

/// Deterministic data for windows: a seeded generator, reference rows and
/// predictions of a small credit-risk-like model.
struct Fixtures {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    mutating func normal(mean: Double = 0, sd: Double = 1) -> Double {
        let u = max(uniform(), 1e-300)
        return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * .pi * uniform())
    }

    static let regions = ["north", "south", "east", "west"]

    /// Income shifted by `incomeShift` standard deviations; regions skewed to "west" when `skewRegions`.
    mutating func features(incomeShift: Double = 0, skewRegions: Bool = false) -> ([String: Double], [String: String]) {
        let income = normal(mean: 50_000 + incomeShift * 10_000, sd: 10_000)
        let region = skewRegions && uniform() < 0.6 ? "west" : Self.regions[Int(uniform() * 4)]
        return (["income": income, "dti": uniform() * 0.6], ["region": region])
    }

    mutating func referenceRows(_ count: Int) -> [ReferenceRow] {
        (0..<count).map { _ in
            let (numeric, categorical) = features()
            return ReferenceRow(numericFeatures: numeric, categoricalFeatures: categorical, probability: uniform())
        }
    }

    /// `count` predictions spread over the hour before `end`.
    mutating func predictions(
        _ count: Int,
        model: String,
        endingAt end: Int64,
        incomeShift: Double = 0,
        skewRegions: Bool = false
    ) -> [Prediction] {
        (0..<count).map { index in
            let (numeric, categorical) = features(incomeShift: incomeShift, skewRegions: skewRegions)
            let probability = uniform()
            return Prediction(
                predictionId: "\(model)-\(end)-\(index)",
                modelName: model,
                modelVersion: 1,
                timestamp: end - Int64(index % 3_600) * 1_000,
                numericFeatures: numeric,
                categoricalFeatures: categorical,
                probability: probability,
                predictedLabel: probability >= 0.5 ? 1 : 0
            )
        }
    }
}

extension MonitoringClient {
    /// Begin, one append, commit: the model's next reference version.
    func uploadReference(
        model: String,
        rows: [ReferenceRow],
        schema: [FeatureSchema] = []
    ) async throws -> ReferenceDataset {
        let upload = try await beginReferenceUpload(.init(modelName: model, schema: schema))
        _ = try await appendReferenceRows(.init(uploadId: upload.uploadId, rows: rows))
        return try #require(try await commitReferenceUpload(.init(uploadId: upload.uploadId)).reference)
    }

    /// A whole artifact, its chunks joined, and its content type.
    func artifact(_ ref: String) async throws -> (Data, String) {
        var data = Data()
        var contentType = ""
        for try await chunk in getArtifact(.init(ref: ref)) {
            if contentType.isEmpty { contentType = chunk.contentType }
            data.append(contentsOf: chunk.data)
        }
        return (data, contentType)
    }
}

/// The hour boundary before now, so windows fall within the seed's seven-day views.
func recentHour(hoursAgo: Int64 = 0) -> Int64 {
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    return (now / 3_600_000 - hoursAgo) * 3_600_000
}
