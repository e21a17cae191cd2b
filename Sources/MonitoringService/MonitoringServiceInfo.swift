import MLOpsMessages

/// What `monitoring` serves. The handlers, store and wiring arrive with issue #6.
package enum MonitoringServiceInfo {
    package static let executable = "monitoring"
    package static let serviceName = MonitoringMethods.serviceName
    package static let methodPaths = MonitoringMethods.allPaths
    package static let trackingIssue = 6
}
