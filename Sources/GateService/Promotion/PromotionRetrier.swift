import Foundation
package import Logging
import ServiceLifecycle

/// Applies promotions left pending (a registry outage, a gate that stopped
/// between logging and promoting) until each is applied, superseded or
/// refused. Every replica runs one; claims keep them off each other's rows.
package struct PromotionRetrier: Service {
    let store: DecisionStore
    let promoter: Promoter
    let every: Duration
    let claimSeconds: Double
    let logger: Logger

    package init(store: DecisionStore, promoter: Promoter, every: Duration, claimSeconds: Double, logger: Logger) {
        self.store = store
        self.promoter = promoter
        self.every = every
        self.claimSeconds = claimSeconds
        self.logger = logger
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await retryDue()
                do {
                    try await Task.sleep(for: every)
                } catch {
                    return
                }
            }
        }
    }

    private func retryDue() async {
        do {
            let due = try await store.claimDuePromotions(limit: 20, claimSeconds: claimSeconds)
            for decision in due {
                try await promoter.apply(decision)
            }
        } catch {
            logger.warning("pending promotions could not be retried", metadata: ["error": "\(error)"])
        }
    }
}
