/// Which features a reference has and how each is tested.
public struct DatasetSchema: Sendable, Equatable, Codable {
    public struct Feature: Sendable, Equatable, Codable {
        public var name: String
        public var kind: ColumnKind

        public init(name: String, kind: ColumnKind) {
            self.name = name
            self.kind = kind
        }
    }

    public var features: [Feature]

    public init(features: [Feature]) {
        self.features = features
    }

    /// shared/specs/drift.md, "Per column": with no schema, integers with at
    /// most 10 distinct values and all strings are categorical, other numbers
    /// numeric. A feature seen with both strings and numbers is categorical.
    public static func inferred(from table: FeatureTable) -> DatasetSchema {
        let features = table.columns.map { column -> Feature in
            if !column.strings.isEmpty { return Feature(name: column.name, kind: .categorical) }
            let finite = column.numbers.lazy.filter(\.isFinite)
            let integral = finite.allSatisfy { $0 == $0.rounded() }
            let fewValues = integral && Set(finite).count <= 10
            return Feature(name: column.name, kind: fewValues ? .categorical : .numeric)
        }
        return DatasetSchema(features: features.sorted { $0.name < $1.name })
    }
}
