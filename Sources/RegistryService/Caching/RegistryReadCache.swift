import MLOpsMessages
import NIOConcurrencyHelpers

/// The hot reads serving code repeats (latest versions by stage, a version by
/// alias), kept in memory and dropped whenever their model changes: at once
/// for writes made through this replica, and on the NOTIFY every write sends
/// for writes through any other. A read that raced a change is never stored
/// (each fill carries the epoch it started in). While the replica is not
/// hearing notifications the cache is off, since it could not know.
final class RegistryReadCache: Sendable {
    enum Query: Hashable, Sendable {
        case latest(stages: [String])
        case alias(String)
    }

    enum Value: Sendable {
        case versions([ModelVersion])
        case version(ModelVersion)
    }

    /// When a lookup started; a fill from an older epoch than the model's last change is dropped.
    struct Ticket: Sendable {
        fileprivate let epoch: UInt64
    }

    private struct State {
        var enabled = false
        var epoch: UInt64 = 0
        /// The epoch of each model's last change (only while it has entries or might get some).
        var changedAt: [String: UInt64] = [:]
        var clearedAt: UInt64 = 0
        var entries: [String: [Query: Value]] = [:]
        var count = 0
    }

    private let state = NIOLockedValueBox(State())
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The cached answer, or a ticket to store the one about to be read.
    func lookup(_ model: String, _ query: Query) -> (Value?, Ticket) {
        state.withLockedValue { state in
            (state.enabled ? state.entries[model]?[query] : nil, Ticket(epoch: state.epoch))
        }
    }

    func store(_ value: Value, for model: String, _ query: Query, ticket: Ticket) {
        state.withLockedValue { state in
            guard state.enabled, ticket.epoch >= state.clearedAt, ticket.epoch >= state.changedAt[model, default: 0]
            else { return }
            if state.count >= capacity { Self.clear(&state) }
            if state.entries[model, default: [:]].updateValue(value, forKey: query) == nil { state.count += 1 }
        }
    }

    /// `model` changed: forget its answers, and any read of it in flight.
    func invalidate(_ model: String) {
        state.withLockedValue { state in
            state.epoch += 1
            state.changedAt[model] = state.epoch
            state.count -= state.entries.removeValue(forKey: model)?.count ?? 0
        }
    }

    /// On while notifications are heard; turning it either way forgets everything.
    func setEnabled(_ enabled: Bool) {
        state.withLockedValue { state in
            state.enabled = enabled
            Self.clear(&state)
        }
    }

    private static func clear(_ state: inout State) {
        state.epoch += 1
        state.clearedAt = state.epoch
        state.entries = [:]
        state.changedAt = [:]
        state.count = 0
    }
}
