import MLOpsMessages
package import MLOpsPostgres

/// `monitoring`: prediction ingestion, drift and windows (shared/specs/monitoring.md).
package enum MonitoringServiceInfo {
    package static let executable = "monitoring"
    package static let serviceName = MonitoringMethods.serviceName
    package static let migrator = MonitoringMigrations.migrator
}
