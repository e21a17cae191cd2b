import Logging
import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC
import ServiceLifecycle

/// Asks the database every `interval` whether it answers, and says so
/// through the health service: NOT_SERVING while it does not.
struct DatabaseHealthMonitor: Service {
    let pool: PostgresPool
    let health: HealthService
    let service: String
    let interval: Duration
    let logger: Logger

    func run() async throws {
        // Its sleep must not hold up a shutdown.
        await cancelWhenGracefulShutdown { await check() }
    }

    private func check() async {
        var serving = true
        while !Task.isCancelled {
            do {
                try await pool.withConnection { try $0.query("SELECT 1") }
                if !serving { logger.notice("the database is back; serving again") }
                serving = true
                health.setStatus(.serving, for: service)
            } catch {
                if serving { logger.error("the database is unreachable; not serving", metadata: ["error": "\(error)"]) }
                serving = false
                health.setStatus(.notServing, for: service, reason: "database unreachable: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }
}
