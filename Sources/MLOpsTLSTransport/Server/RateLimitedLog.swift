import Logging
import MLOpsRPC
import NIOConcurrencyHelpers

/// One log line that a flood could repeat thousands of times a second,
/// written at most once per `interval`, saying how many were left out since.
final class RateLimitedLog: Sendable {
    private let logger: Logger
    private let message: Logger.Message
    private let interval: Duration
    private let state = NIOLockedValueBox((last: ContinuousClock.Instant?.none, suppressed: 0))

    init(logger: Logger, message: Logger.Message, interval: Duration = .seconds(1)) {
        self.logger = logger
        self.message = message
        self.interval = interval
    }

    func warning(metadata: Logger.Metadata = [:]) {
        let now = ContinuousClock.now
        let suppressed: Int? = state.withLockedValue { state in
            if let last = state.last, now - last < interval {
                state.suppressed += 1
                return nil
            }
            defer { state = (now, 0) }
            return state.suppressed
        }
        guard let suppressed else { return }
        var metadata = metadata
        if suppressed > 0 { metadata["suppressedSinceLast"] = "\(suppressed)" }
        logger.warning(message, metadata: metadata)
    }
}
