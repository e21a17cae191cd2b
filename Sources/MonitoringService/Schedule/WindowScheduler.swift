import Foundation
package import Logging
import MLOpsPostgres
import ServiceLifecycle

/// Runs the configured windows as their ends come round. Every replica
/// runs the same loop; `MonitoringWindows` makes each window end run once
/// and the others replay it.
package struct WindowScheduler: Service {
    let windows: MonitoringWindows
    let schedule: [ScheduledWindow]
    let logger: Logger

    package init(windows: MonitoringWindows, schedule: [ScheduledWindow], logger: Logger) {
        self.windows = windows
        self.schedule = schedule
        self.logger = logger
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for window in schedule {
                    group.addTask { await self.keepRunning(window) }
                }
            }
        }
    }

    private func keepRunning(_ window: ScheduledWindow) async {
        while !Task.isCancelled {
            let now = EpochMilliseconds.now
            let end = window.nextEnd(after: now)
            do {
                try await Task.sleep(for: .milliseconds(end - now))
            } catch {
                return
            }
            do {
                let outcome = try await windows.run(
                    model: window.model,
                    lookbackHours: window.lookbackHours,
                    asOf: end,
                    options: nil,
                    caller: "scheduler"
                )
                if outcome.replayed {
                    logger.debug(
                        "scheduled window already run by another replica",
                        metadata: ["model": "\(window.model)", "window_end": "\(end)"]
                    )
                }
            } catch {
                logger.warning(
                    "scheduled window failed",
                    metadata: ["model": "\(window.model)", "window_end": "\(end)", "error": "\(error)"]
                )
            }
        }
    }
}
