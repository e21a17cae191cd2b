import Foundation

/// Switches the tests set in a service's environment to stop it at a chosen
/// point; unset in production.
package enum FaultInjection {
    /// The pause named by `variable`, in seconds; nil when it is unset or not a number.
    package static func pause(_ variable: String) -> Duration? {
        guard let seconds = ProcessInfo.processInfo.environment[variable].flatMap(Double.init), seconds >= 0 else {
            return nil
        }
        return .milliseconds(Int64(seconds * 1000))
    }
}
