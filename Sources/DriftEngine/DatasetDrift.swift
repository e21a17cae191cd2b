/// The dataset-level verdict over the tested columns (shared/specs/drift.md,
/// "Dataset level"), after any multiple-testing correction of the p-values.
public struct DatasetDrift: Sendable, Equatable {
    public var columns: [ColumnDrift]
    public var driftedCount: Int
    public var testedCount: Int
    public var featureDriftRatio: Double
    public var datasetDrift: Bool
    /// Why there is no verdict to speak of (no tested columns).
    public var reason: String?

    public init(columns: [ColumnDrift], options: DriftConfiguration = DriftConfiguration()) {
        let columns = Self.corrected(columns, options)
        let tested = columns.filter { $0.skipped == nil }
        self.columns = columns
        testedCount = tested.count
        driftedCount = tested.filter(\.drifted).count
        featureDriftRatio = tested.isEmpty ? 0 : Double(driftedCount) / Double(tested.count)
        datasetDrift = !tested.isEmpty && featureDriftRatio >= options.driftShare
        reason = tested.isEmpty ? "no column could be tested" : nil
    }

    /// Bonferroni or Benjamini–Hochberg adjusted p-values over the columns
    /// tested with a p-value test; the verdicts follow the adjusted values.
    static func corrected(_ columns: [ColumnDrift], _ options: DriftConfiguration) -> [ColumnDrift] {
        guard options.correction != .none else { return columns }
        let tested = columns.indices.filter { columns[$0].skipped == nil && columns[$0].pValue != nil }
        let m = Double(tested.count)
        var adjusted = columns
        switch options.correction {
        case .none:
            break
        case .bonferroni:
            for index in tested { adjusted[index].pValue = min(1, columns[index].pValue! * m) }
        case .benjaminiHochberg:
            // p_(i) · m / i, made monotone from the largest down.
            let ordered = tested.sorted { columns[$0].pValue! < columns[$1].pValue! }
            var running = 1.0
            for (rank, index) in ordered.enumerated().reversed() {
                running = min(running, columns[index].pValue! * m / Double(rank + 1))
                adjusted[index].pValue = min(1, running)
            }
        }
        for index in tested {
            adjusted[index].score = adjusted[index].pValue!
            adjusted[index].drifted = adjusted[index].method!.drifted(
                adjusted[index].score,
                threshold: adjusted[index].threshold
            )
        }
        return adjusted
    }
}
