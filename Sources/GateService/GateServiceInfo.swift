import MLOpsMessages

/// What `retraining-gate` serves. The handlers, store and wiring arrive with issue #7.
package enum GateServiceInfo {
    package static let executable = "retraining-gate"
    package static let serviceName = RetrainingGateMethods.serviceName
    package static let methodPaths = RetrainingGateMethods.allPaths
    package static let trackingIssue = 7
}
