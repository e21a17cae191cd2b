/// What both versions scored: the true label (0 or 1) and each version's
/// probability of the positive class, per sample.
package struct LabelledSamples: Sendable, Equatable {
    package var labels: [Int32]
    package var candidate: [Double]
    /// Empty when the model has no Production version.
    package var production: [Double]

    package init(labels: [Int32], candidate: [Double], production: [Double]) {
        self.labels = labels
        self.candidate = candidate
        self.production = production
    }

    /// Checks everything before anything is judged or logged; the error names the first bad value.
    package func validated(hasProduction: Bool) throws(InvalidSamples) -> LabelledSamples {
        guard !labels.isEmpty else { throw InvalidSamples("there are no labelled samples") }
        guard candidate.count == labels.count else {
            throw InvalidSamples(
                "\(labels.count) labels but \(candidate.count) candidate probabilities: the arrays must be parallel"
            )
        }
        if hasProduction || !production.isEmpty {
            guard production.count == labels.count else {
                throw InvalidSamples(
                    "\(labels.count) labels but \(production.count) production probabilities: the arrays must be parallel"
                )
            }
        }
        if let index = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw InvalidSamples("labels[\(index)] is \(labels[index]): labels are 0 or 1")
        }
        for (name, values) in [("candidate_probabilities", candidate), ("production_probabilities", production)] {
            if let index = values.firstIndex(where: { !($0.isFinite && (0...1).contains($0)) }) {
                throw InvalidSamples("\(name)[\(index)] is \(values[index]): probabilities are finite and in [0, 1]")
            }
        }
        return self
    }
}

package struct InvalidSamples: Error, CustomStringConvertible, Equatable {
    package var description: String
    init(_ description: String) { self.description = description }
}
