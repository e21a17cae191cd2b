/// A model version's stage, as MLflow names them.
package enum Stage: String, CaseIterable, Sendable {
    case none = "None"
    case staging = "Staging"
    case production = "Production"
    case archived = "Archived"

    /// Reads a stage as MLflow does: case-insensitively, without trimming, so
    /// `"PRODUCTION"` is Production and `" Production"` is an error.
    package init(parsing text: String) throws(InvalidStage) {
        guard let stage = Stage.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw InvalidStage(text: text)
        }
        self = stage
    }

    /// `archive_existing_versions` may only accompany a move into these stages.
    package var allowsArchivingOthers: Bool {
        self == .staging || self == .production
    }
}

/// A stage name that is none of the four.
package struct InvalidStage: Error, Equatable, CustomStringConvertible {
    package var text: String

    package var description: String {
        let valid = Stage.allCases.map(\.rawValue).joined(separator: ", ")
        return "Invalid Model Version stage: \(text). Value must be one of \(valid)."
    }
}
