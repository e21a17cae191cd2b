/// A request the gate refuses, with the status it maps to.
package struct GateFailure: Error, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        case invalidArgument, notFound, failedPrecondition, alreadyExists, unavailable
    }

    package var kind: Kind
    package var message: String

    package var description: String { message }

    static func invalid(_ message: String) -> Self { Self(kind: .invalidArgument, message: message) }
    static func notFound(_ message: String) -> Self { Self(kind: .notFound, message: message) }
    static func precondition(_ message: String) -> Self { Self(kind: .failedPrecondition, message: message) }
}
