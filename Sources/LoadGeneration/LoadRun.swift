import Synchronization

/// A load test: how calls start, how long it lasts, what is measured.
public struct LoadPlan: Sendable {
    public var model: LoadModel
    /// How long calls are started for (after the warm-up), unless `total` ends it first.
    public var duration: Duration?
    /// How many measured calls to start, unless `duration` ends the run first.
    public var total: Int?
    /// Calls made first and not measured: connections made, caches warm.
    public var warmup: Duration = .zero
    /// How long calls still in flight when the duration ends may take to
    /// finish; those that do not are cut off and counted as unfinished.
    public var grace: Duration = .seconds(2)

    public init(
        model: LoadModel,
        duration: Duration? = nil,
        total: Int? = nil,
        warmup: Duration = .zero,
        grace: Duration = .seconds(2)
    ) {
        self.model = model
        self.duration = duration
        self.total = total
        self.warmup = warmup
        self.grace = grace
    }
}

/// Runs a `LoadPlan`. No call starts after the duration; those in flight
/// then get the plan's grace to finish, and the run ends at the latest when
/// it is over, even if the server has stopped answering: calls still in
/// flight are cancelled and counted as unfinished.
public enum LoadRun {
    /// Calls `call` (with the call's number) as `plan` says; `classify`
    /// names a failure's status and message. `progress` hears, about once
    /// a second, how many calls have ended.
    public static func run(
        _ plan: LoadPlan,
        classify: @escaping @Sendable (any Error) -> (code: String, message: String) = { ("ERROR", "\($0)") },
        progress: (@Sendable (_ elapsed: Duration, _ ended: Int) -> Void)? = nil,
        call: @escaping @Sendable (Int) async throws -> Void
    ) async -> LoadReport {
        precondition(plan.duration != nil || plan.total != nil, "a load plan needs a duration, a total or both")
        let recorder = LoadRecorder()
        let counters = Counters()
        let start = ContinuousClock.now
        let measuredFrom = start + plan.warmup
        let end = plan.duration.map { measuredFrom + $0 }
        let limit = plan.total

        await withTaskGroup(of: Void.self) { outer in
            // The clock: once the grace after the end is over, whatever still runs is cut off.
            if let end {
                outer.addTask {
                    try? await Task.sleep(until: end + plan.grace, clock: .continuous)
                }
            }
            if let progress {
                outer.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        progress(ContinuousClock.now - measuredFrom, counters.ended.load(ordering: .relaxed))
                    }
                }
            }
            outer.addTask {
                // One call, measured from `due` (its scheduled or actual start).
                @Sendable func measure(_ index: Int, due: ContinuousClock.Instant) async {
                    let measured = due >= measuredFrom
                    if measured {
                        let sent = counters.sent.add(1, ordering: .relaxed).newValue
                        // Callers of a closed loop race for the last of the total.
                        if let limit, sent > limit {
                            counters.sent.subtract(1, ordering: .relaxed)
                            return
                        }
                    }
                    let outcome: CallOutcome
                    do {
                        try await call(index)
                        outcome = .succeeded
                    } catch {
                        // Cut off by the end of the run: neither a success nor a failure.
                        if Task.isCancelled { return }
                        let (code, message) = classify(error)
                        outcome = .failed(code: code, message: message)
                    }
                    guard measured else { return }
                    counters.ended.add(1, ordering: .relaxed)
                    recorder.record(offset: due - measuredFrom, latency: .now - due, outcome: outcome)
                }
                /// Whether the measured calls started so far reach the total.
                @Sendable func reachedTotal() -> Bool {
                    guard let limit else { return false }
                    return counters.sent.load(ordering: .relaxed) >= limit
                }

                await withTaskGroup(of: Void.self) { calls in
                    switch plan.model {
                    case .closed(let concurrency):
                        for _ in 0..<concurrency {
                            calls.addTask {
                                while !Task.isCancelled && !reachedTotal() {
                                    let now = ContinuousClock.now
                                    if let end, now >= end { return }
                                    await measure(counters.next.add(1, ordering: .relaxed).newValue - 1, due: now)
                                }
                            }
                        }
                    case .open, .ramp:
                        guard let schedule = plan.model.schedule else { return }
                        // The warm-up runs at the schedule's starting rate; the schedule proper begins after it.
                        let warmupCalls = Int((plan.warmup.seconds * schedule.rate(at: 0)).rounded())
                        var index = 0
                        while !Task.isCancelled {
                            if let limit, index - warmupCalls >= limit { break }
                            let due: ContinuousClock.Instant
                            if index < warmupCalls {
                                due = start + .seconds(Double(index) / schedule.rate(at: 0))
                            } else {
                                due = measuredFrom + .seconds(schedule.start(ofCall: index - warmupCalls))
                            }
                            if let end, due >= end { break }
                            if due > .now { try? await Task.sleep(until: due, clock: .continuous) }
                            let call = index
                            calls.addTask { await measure(call, due: due) }
                            index += 1
                        }
                    }
                    await calls.waitForAll()
                }
            }
            // The first to finish (the clock, or the calls) ends the run.
            _ = await outer.next()
            outer.cancelAll()
        }

        let measured = (end ?? .now) - measuredFrom
        let sent = counters.sent.load(ordering: .relaxed)
        return recorder.report(
            model: plan.model,
            seconds: measured.seconds,
            sent: sent,
            unfinished: sent - counters.ended.load(ordering: .relaxed)
        )
    }

    private final class Counters: Sendable {
        /// The next call's number (closed loop).
        let next = Atomic(0)
        let sent = Atomic(0)
        let ended = Atomic(0)
    }
}
