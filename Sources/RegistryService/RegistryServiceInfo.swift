import MLOpsMessages

/// What `model-registry` serves. The handlers, store and wiring arrive with issue #5.
package enum RegistryServiceInfo {
    package static let executable = "model-registry"
    package static let serviceName = ModelRegistryMethods.serviceName
    package static let methodPaths = ModelRegistryMethods.allPaths
    package static let trackingIssue = 5
}
