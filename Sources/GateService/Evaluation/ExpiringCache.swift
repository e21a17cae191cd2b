import Synchronization

/// Answers from the registry and monitoring, kept briefly: under load the
/// gate evaluates the same model many times a second, and asking both peers
/// every time would make their round trips the gate's cost. Entries live
/// `lifetime`; the gate drops a model's entries itself when it promotes.
final class ExpiringCache<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: (value: Value, expires: ContinuousClock.Instant)]>([:])
    let lifetime: Duration

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    func value(_ key: String, orFetch fetch: () async throws -> Value) async throws -> Value {
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[key] }), hit.expires > now { return hit.value }
        let value = try await fetch()
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[key] = (value, now + lifetime)
        }
        return value
    }

    func remove(where matches: (String) -> Bool) {
        entries.withLock { entries in
            for key in entries.keys where matches(key) { entries[key] = nil }
        }
    }
}
