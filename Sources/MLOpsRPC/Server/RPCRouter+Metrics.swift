public import CoreMetrics
import NIOConcurrencyHelpers

extension RPCRouter {
    /// The same handlers, each call counted by method and status code
    /// (`rpc_server_requests_total`) and timed by method and status code
    /// (`rpc_server_request_duration_seconds`), in `factory`'s metrics.
    /// Message exchanges (server reflection) are passed on uncounted.
    public func instrumented(factory: any MetricsFactory = MetricsSystem.factory) -> RPCRouter {
        let metrics = CallMetrics(factory: factory)
        var router = RPCRouter()
        router.exchanges = exchanges
        for (path, handler) in handlers {
            router.handlers[path] = { bytes, context, sink in
                let started = ContinuousClock.now
                do {
                    try await handler(bytes, context, sink)
                    metrics.record(path, .ok, since: started)
                } catch {
                    metrics.record(path, Self.statusCode(of: error), since: started)
                    throw error
                }
            }
        }
        return router
    }

    private static func statusCode(of error: any Error) -> StatusCode {
        switch error {
        case let error as RPCError: error.code
        case is CancellationError: .cancelled
        default: .unknown
        }
    }
}

/// A counter and a timer per (method, status code), made once each.
private final class CallMetrics: Sendable {
    private struct Instruments: Sendable {
        let calls: Counter
        let duration: Timer
    }

    private let factory: any MetricsFactory
    private let instruments = NIOLockedValueBox([String: Instruments]())

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func record(_ method: String, _ code: StatusCode, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let key = "\(method) \(code.rawValue)"
        let instruments = self.instruments.withLockedValue { known in
            if let existing = known[key] { return existing }
            let dimensions = [("method", method), ("code", code.description)]
            let made = Instruments(
                calls: Counter(label: "rpc_server_requests_total", dimensions: dimensions, factory: factory),
                duration: Timer(label: "rpc_server_request_duration_seconds", dimensions: dimensions, factory: factory)
            )
            known[key] = made
            return made
        }
        instruments.calls.increment()
        let (seconds, attoseconds) = elapsed.components
        instruments.duration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
