package import Logging
import MLOpsPostgres
import ServiceLifecycle

/// Keeps the prediction log's partitions: at start and every hour, the days
/// ahead made and the days past retention dropped. Every replica runs it;
/// `PredictionPartitions` makes the work idempotent and one at a time.
package struct PartitionMaintenance: Service {
    let partitions: PredictionPartitions
    let logger: Logger
    let interval: Duration

    package init(partitions: PredictionPartitions, logger: Logger, interval: Duration = .seconds(3_600)) {
        self.partitions = partitions
        self.logger = logger
        self.interval = interval
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let done = try await partitions.maintain(now: EpochMilliseconds.now)
                    if !done.create.isEmpty || !done.drop.isEmpty {
                        logger.info(
                            "prediction log partitions kept",
                            metadata: [
                                "created": "\(done.create.map(PredictionRetention.date(ofDay:)))",
                                "dropped": "\(done.drop.map(PredictionRetention.date(ofDay:)))",
                            ]
                        )
                    }
                } catch {
                    logger.warning("prediction log partitions not kept; trying again", metadata: ["error": "\(error)"])
                }
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
            }
        }
    }
}
