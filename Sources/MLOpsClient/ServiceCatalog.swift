import MLOpsMessages

/// The services of the control plane and the method paths each answers.
/// The typed clients over these arrive with the RPC transport.
public enum ServiceCatalog {
    public struct Service: Sendable {
        /// The executable that serves it.
        public let executable: String
        /// `mlops.v1.<Service>`.
        public let name: String
        public let methodPaths: [String]
    }

    public static let services: [Service] = [
        Service(
            executable: "model-registry",
            name: ModelRegistryMethods.serviceName,
            methodPaths: ModelRegistryMethods.allPaths
        ),
        Service(executable: "monitoring", name: MonitoringMethods.serviceName, methodPaths: MonitoringMethods.allPaths),
        Service(
            executable: "retraining-gate",
            name: RetrainingGateMethods.serviceName,
            methodPaths: RetrainingGateMethods.allPaths
        ),
        Service(executable: "every server", name: HealthMethods.serviceName, methodPaths: HealthMethods.allPaths),
    ]
}
