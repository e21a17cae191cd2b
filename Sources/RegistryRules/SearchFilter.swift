/// A parsed search filter: conditions joined by `AND`, as MLflow's search
/// grammar for registered models and model versions.
package struct SearchFilter: Equatable, Sendable {
    package enum Subject: Sendable {
        case models, versions
    }

    package enum Field: Equatable, Sendable {
        case name, runID, sourcePath, versionNumber
        case tag(String)
    }

    package enum Operator: String, Equatable, Sendable {
        case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case like = "LIKE", ilike = "ILIKE", `in` = "IN", notIn = "NOT IN"
    }

    package enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int64)
        case list([String])
    }

    package struct Condition: Equatable, Sendable {
        package var field: Field
        package var op: Operator
        package var value: Value

        package init(_ field: Field, _ op: Operator, _ value: Value) {
            self.field = field
            self.op = op
            self.value = value
        }
    }

    package var conditions: [Condition]

    package init(conditions: [Condition]) {
        self.conditions = conditions
    }

    /// Parses `text` (empty means no conditions) for a search of `subject`;
    /// anything outside the grammar is an error naming the bad clause.
    package init(parsing text: String, for subject: Subject) throws(InvalidRegistryInput) {
        var parser = SearchFilterParser(text: text, subject: subject)
        self.conditions = try parser.parse()
    }
}
