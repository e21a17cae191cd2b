import Foundation
package import Logging
import MLOpsPostgres
import ServiceLifecycle

/// Runs the configured windows as their ends come round. Every replica runs
/// the same loop over the same ends; `MonitoringWindows` lets one replica
/// claim each window. A replica takes the windows due in an order of its
/// own, a few at a time, and skips those another replica is computing, so
/// a thousand models' windows are shared out rather than waited on twice.
/// A window skipped, or failed, stays due until it has a stored row: one
/// whose claimant died is taken up when the claim runs out.
package struct WindowScheduler: Service {
    let windows: MonitoringWindows
    let schedule: [ScheduledWindow]
    let logger: Logger
    /// Windows computed at once by this replica.
    let concurrency: Int
    /// How often a window that keeps failing is tried before it is given up (and logged).
    static let attempts = 5

    package init(windows: MonitoringWindows, schedule: [ScheduledWindow], logger: Logger, concurrency: Int = 4) {
        self.windows = windows
        self.schedule = schedule
        self.logger = logger
        self.concurrency = concurrency
    }

    /// One window end of one scheduled model.
    struct Due: Hashable {
        var window: Int
        var end: Int64
    }

    package func run() async throws {
        guard !schedule.isEmpty else { return }
        await cancelWhenGracefulShutdown {
            var nextEnds = schedule.map { $0.nextEnd(after: EpochMilliseconds.now) }
            var pending: [Due: Int] = [:]  // due windows not yet stored, and their failures so far
            while !Task.isCancelled {
                let wake = nextEnds.min()!
                let now = EpochMilliseconds.now
                if wake > now {
                    // Retried windows (claimed elsewhere, or failed) are looked at again within a second.
                    let pause = pending.isEmpty ? wake - now : min(wake - now, 1_000)
                    do {
                        try await Task.sleep(for: .milliseconds(pause))
                    } catch {
                        return
                    }
                }
                let reached = EpochMilliseconds.now
                for (index, end) in nextEnds.enumerated() where end <= reached {
                    pending[Due(window: index, end: end)] = 0
                    nextEnds[index] = schedule[index].nextEnd(after: end)
                }
                pending = await runAll(pending)
            }
        }
    }

    /// Runs the due windows, `concurrency` at a time, in an order of this
    /// replica's own; returns those still due.
    private func runAll(_ due: [Due: Int]) async -> [Due: Int] {
        var stillDue: [Due: Int] = [:]
        await withTaskGroup(of: (Due, Bool?).self) { group in
            var queue = due.keys.shuffled()[...]
            func startNext() {
                guard let next = queue.popFirst() else { return }
                group.addTask { (next, await self.runOnce(next)) }
            }
            for _ in 0..<concurrency { startNext() }
            while let (window, done) = await group.next() {
                startNext()
                switch done {
                case true?: break
                case false?: stillDue[window] = due[window]
                case nil:
                    let failures = due[window, default: 0] + 1
                    if failures < Self.attempts {
                        stillDue[window] = failures
                    } else {
                        logger.error(
                            "scheduled window given up",
                            metadata: ["model": "\(schedule[window.window].model)", "window_end": "\(window.end)"]
                        )
                    }
                }
            }
        }
        return stillDue
    }

    /// true: stored (by this replica or another); false: another replica is computing it; nil: failed.
    private func runOnce(_ due: Due) async -> Bool? {
        let window = schedule[due.window]
        do {
            let outcome = try await windows.runUnlessClaimed(
                model: window.model,
                lookbackHours: window.lookbackHours,
                asOf: due.end,
                caller: "scheduler"
            )
            return outcome != nil
        } catch {
            logger.warning(
                "scheduled window failed",
                metadata: ["model": "\(window.model)", "window_end": "\(due.end)", "error": "\(error)"]
            )
            return nil
        }
    }
}
