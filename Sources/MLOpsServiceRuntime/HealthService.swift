package import MLOpsMessages
package import MLOpsRPC
import MLOpsServiceProtocols
import NIOConcurrencyHelpers

/// The `mlops.v1.Health` service every server answers. A service sets itself
/// NOT_SERVING while a dependency (its database) is down.
package final class HealthService: HealthServiceProtocol {
    private let statuses: NIOLockedValueBox<[String: (ServingStatus, String)]>

    /// `services`: the fully qualified names this server serves, all SERVING at first.
    package init(services: [String]) {
        statuses = NIOLockedValueBox(Dictionary(uniqueKeysWithValues: services.map { ($0, (.serving, "")) }))
    }

    package func setStatus(_ status: ServingStatus, for service: String, reason: String = "") {
        statuses.withLockedValue { $0[service] = (status, reason) }
    }

    /// A service's status; for "" the server's: SERVING only if every service is.
    package func check(_ service: String) -> HealthCheckResponse {
        statuses.withLockedValue { statuses in
            if service.isEmpty {
                let down = statuses.filter { $0.value.0 != .serving }.sorted { $0.key < $1.key }
                guard let first = down.first else { return HealthCheckResponse(status: .serving) }
                return HealthCheckResponse(status: .notServing, reason: "\(first.key): \(first.value.1)")
            }
            guard let (status, reason) = statuses[service] else {
                return HealthCheckResponse(status: .unknown, reason: "no service named \(service) here")
            }
            return HealthCheckResponse(status: status, reason: reason)
        }
    }

    package func check(_ request: HealthCheckRequest, context: ServerCallContext) async throws -> HealthCheckResponse {
        check(request.service)
    }
}
