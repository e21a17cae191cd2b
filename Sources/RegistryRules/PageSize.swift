/// How many results a search or listing returns.
package enum PageSize {
    package static let `default` = 100
    package static let maximum = 1000

    /// `nil` (not sent) means the default; 1–1000 otherwise (unlike MLflow,
    /// whose zero returns an empty page with a token that loops).
    package static func validate(_ requested: Int32?) throws(InvalidRegistryInput) -> Int {
        guard let requested else { return self.default }
        guard requested >= 1, requested <= maximum else {
            throw InvalidRegistryInput(
                "Invalid value \(requested) for max_results: it must be between 1 and \(maximum)."
            )
        }
        return Int(requested)
    }
}
