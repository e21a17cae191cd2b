import MLOpsMessages
package import MLOpsPostgres

/// `retraining-gate`: evidence-based promotion decisions (shared/specs/gate.md).
package enum GateServiceInfo {
    package static let executable = "retraining-gate"
    package static let serviceName = RetrainingGateMethods.serviceName
    package static let migrator = GateMigrations.migrator
}
