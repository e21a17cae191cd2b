/// Why a JSON document is not a message of the type asked for, and where.
package struct JSONMappingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The member at fault, e.g. `tags.owner` or `stages[1]`; empty for the document itself.
    package var path: String
    package var reason: String

    init(at path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    package var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}
