import MLOpsMessages
import RegistryRules

extension Stage {
    /// Versions in stage order: None, Staging, Production, Archived.
    static func sortedByStage(_ versions: [ModelVersion]) -> [ModelVersion] {
        let order = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1.rawValue, $0) })
        return versions.sorted {
            order[$0.currentStage, default: allCases.count] < order[$1.currentStage, default: allCases.count]
        }
    }
}
