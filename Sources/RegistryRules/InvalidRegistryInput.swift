/// Input the registry refuses (`INVALID_ARGUMENT`), with a message naming the
/// offending value as MLflow's messages do.
package struct InvalidRegistryInput: Error, Equatable, CustomStringConvertible {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
