package import MLOpsMessages
package import MLOpsRPC
import MLOpsServiceProtocols
import NIOConcurrencyHelpers

/// The `mlops.v1.Health` service every server answers. A service sets itself
/// NOT_SERVING while a dependency (its database) is down.
package final class HealthService: HealthServiceProtocol {
    private struct State {
        var statuses: [String: (ServingStatus, String)]
        var watchers: [Int: AsyncStream<Void>.Continuation] = [:]
        var nextWatcher = 0
    }

    private let state: NIOLockedValueBox<State>

    /// `services`: the fully qualified names this server serves, all SERVING at first.
    package init(services: [String]) {
        state = NIOLockedValueBox(
            State(statuses: Dictionary(uniqueKeysWithValues: services.map { ($0, (.serving, "")) }))
        )
    }

    package func setStatus(_ status: ServingStatus, for service: String, reason: String = "") {
        let watchers = state.withLockedValue { state -> [AsyncStream<Void>.Continuation] in
            let changed = state.statuses[service]?.0 != status
            state.statuses[service] = (status, reason)
            return changed ? Array(state.watchers.values) : []
        }
        for watcher in watchers { watcher.yield() }
    }

    /// A service's status; for "" the server's: SERVING only if every service is.
    package func check(_ service: String) -> HealthCheckResponse {
        state.withLockedValue { state in
            if service.isEmpty {
                let down = state.statuses.filter { $0.value.0 != .serving }.sorted { $0.key < $1.key }
                guard let first = down.first else { return HealthCheckResponse(status: .serving) }
                return HealthCheckResponse(status: .notServing, reason: "\(first.key): \(first.value.1)")
            }
            guard let (status, reason) = state.statuses[service] else {
                return HealthCheckResponse(status: .unknown, reason: "no service named \(service) here")
            }
            return HealthCheckResponse(status: status, reason: reason)
        }
    }

    package func check(_ request: HealthCheckRequest, context: ServerCallContext) async throws -> HealthCheckResponse {
        check(request.service)
    }

    /// `service`'s status now, then each time it changes, until the caller goes.
    package func watch(_ service: String, send: (HealthCheckResponse) async throws -> Void) async throws {
        let (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLockedValue { state in
            defer { state.nextWatcher += 1 }
            state.watchers[state.nextWatcher] = continuation
            return state.nextWatcher
        }
        defer { _ = state.withLockedValue { $0.watchers.removeValue(forKey: id) } }
        var sent: ServingStatus?
        var iterator = changes.makeAsyncIterator()
        repeat {
            let current = check(service)
            if current.status != sent {
                try await send(current)
                sent = current.status
            }
        } while await iterator.next() != nil && !Task.isCancelled
        try Task.checkCancellation()
    }
}
