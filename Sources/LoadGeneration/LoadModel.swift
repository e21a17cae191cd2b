/// How a load test starts its calls.
public enum LoadModel: Sendable, Equatable {
    /// `concurrency` callers, each calling again as soon as its answer
    /// arrives. When the server slows, the callers slow with it, so its
    /// latencies hide the queueing (coordinated omission): use it to find
    /// the most a server does, not how long callers wait at a given rate.
    case closed(concurrency: Int)
    /// Calls started on a fixed schedule, `rate` a second, whether earlier
    /// ones were answered or not; each call's latency counts from its
    /// scheduled start, so a server that stalls shows the stall (as wrk2).
    case open(rate: Double)
    /// An open loop whose rate rises (or falls) linearly from `from` to `to`
    /// over `seconds`, then stays at `to`.
    case ramp(from: Double, to: Double, seconds: Double)

    /// The open loop's schedule; nil for a closed loop.
    var schedule: OpenLoopSchedule? {
        switch self {
        case .closed: nil
        case .open(let rate): OpenLoopSchedule(from: rate, to: rate, rampSeconds: 0)
        case .ramp(let from, let to, let seconds): OpenLoopSchedule(from: from, to: to, rampSeconds: seconds)
        }
    }
}

/// When each call of an open loop starts: the rate goes linearly from `from`
/// to `to` over `rampSeconds`, then stays at `to`. Call `i` starts when the
/// calls due so far, the integral of the rate, reach `i`.
struct OpenLoopSchedule: Sendable, Equatable {
    var from: Double
    var to: Double
    var rampSeconds: Double

    /// Seconds from the start at which call `index` (0-based) is due.
    func start(ofCall index: Int) -> Double {
        let calls = Double(index)
        guard rampSeconds > 0 else { return calls / to }
        let slope = (to - from) / rampSeconds
        let callsDuringRamp = from * rampSeconds + slope * rampSeconds * rampSeconds / 2
        guard calls < callsDuringRamp else { return rampSeconds + (calls - callsDuringRamp) / to }
        // Solve from·t + slope·t²/2 = calls for t ≥ 0.
        guard abs(slope) > 1e-12 else { return calls / from }
        return (-from + (from * from + 2 * slope * calls).squareRoot()) / slope
    }

    /// The rate due at `seconds` from the start.
    func rate(at seconds: Double) -> Double {
        guard rampSeconds > 0, seconds < rampSeconds else { return to }
        return from + (to - from) * seconds / rampSeconds
    }
}
