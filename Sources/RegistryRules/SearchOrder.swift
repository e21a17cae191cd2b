/// The order of a search's results: the requested keys, then the tie-breakers
/// that make it total (and so keyset paging exact).
package struct SearchOrder: Equatable, Sendable {
    package enum Key: String, Equatable, Sendable {
        case name
        case versionNumber = "version_number"
        case creationTimestamp = "creation_timestamp"
        case lastUpdatedTimestamp = "last_updated_timestamp"
        /// History rows, newest first; not a search's choice.
        case historyID = "id"
    }

    package struct Term: Equatable, Sendable {
        package var key: Key
        package var ascending: Bool

        package init(_ key: Key, ascending: Bool) {
            self.key = key
            self.ascending = ascending
        }
    }

    package var terms: [Term]

    package init(terms: [Term]) {
        self.terms = terms
    }

    /// The transition history's order: newest first.
    package static let history = SearchOrder(terms: [Term(.historyID, ascending: false)])

    /// Reads MLflow's `order_by` clauses ("name", "version_number DESC", ...).
    package init(parsing clauses: [String], for subject: SearchFilter.Subject) throws(InvalidRegistryInput) {
        let valid: [Key] =
            subject == .models
            ? [.name, .lastUpdatedTimestamp]
            : [.name, .versionNumber, .creationTimestamp, .lastUpdatedTimestamp]
        var terms: [Term] = []
        for clause in clauses {
            let words = clause.split(whereSeparator: \.isWhitespace)
            var key = words.first.map(String.init) ?? ""
            if subject == .models, key == "timestamp" { key = Key.lastUpdatedTimestamp.rawValue }  // MLflow's alias
            guard let parsed = Key(rawValue: key), valid.contains(parsed), words.count <= 2 else {
                let names = valid.map(\.rawValue).joined(separator: ", ")
                throw InvalidRegistryInput("Invalid order_by clause '\(clause.echoed)': order by one of \(names).")
            }
            let direction = words.count == 2 ? words[1].uppercased() : "ASC"
            guard direction == "ASC" || direction == "DESC" else {
                throw InvalidRegistryInput(
                    "Invalid order_by clause '\(clause.echoed)': the direction must be ASC or DESC."
                )
            }
            guard !terms.contains(where: { $0.key == parsed }) else {
                throw InvalidRegistryInput(
                    "Invalid order_by clause '\(clause.echoed)': '\(key.echoed)' is ordered by twice."
                )
            }
            terms.append(Term(parsed, ascending: direction == "ASC"))
        }
        if terms.isEmpty, subject == .versions { terms = [Term(.lastUpdatedTimestamp, ascending: false)] }
        // Ties broken by name ascending, then (versions) version descending.
        let tieBreakers =
            subject == .models
            ? [Term(.name, ascending: true)]
            : [Term(.name, ascending: true), Term(.versionNumber, ascending: false)]
        for tieBreaker in tieBreakers where !terms.contains(where: { $0.key == tieBreaker.key }) {
            terms.append(tieBreaker)
        }
        self.terms = terms
    }

    /// Names the order, so a page token is only accepted by the search that made it.
    var signature: String {
        terms.map { "\($0.key.rawValue) \($0.ascending ? "ASC" : "DESC")" }.joined(separator: ",")
    }
}
