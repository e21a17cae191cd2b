import MLOpsRPC
import NIOCore

/// The live connections, and who gets in when another arrives. A flood must
/// not starve the clients who have authenticated: handshakes in progress
/// have a budget of their own (when it is spent, the oldest handshake makes
/// way, so a real client's handshake of a few milliseconds still completes),
/// one address may hold only a few of them, and when the server is full an
/// authenticated connection that has been idle longest makes way for a
/// newcomer rather than the newcomer being turned away.
struct ConnectionAdmission {
    struct Limits {
        var connections: Int
        var handshakes: Int
        var handshakesPerAddress: Int
    }

    enum Decision {
        /// Let in as `id`, after closing `evicted` (handshakes) and saying
        /// goodbye to `retired` (idle connections).
        case admit(id: Int, evicted: [ServerConnection], retired: [ServerConnection])
        case refuse(reason: String)
    }

    private struct Entry {
        let connection: ServerConnection
        let address: String
        let accepted: NIODeadline
        /// Told to go; no longer counted.
        var leaving = false
    }

    private var entries: [Int: Entry] = [:]
    private var nextID = 0
    private var shuttingDown = false
    private var freed = FreedMemory()
    let limits: Limits

    init(limits: Limits) {
        self.limits = limits
    }

    mutating func admit(_ connection: ServerConnection, from address: String) -> Decision {
        guard !shuttingDown else { return .refuse(reason: "shutting down") }
        var handshaking: [(id: Int, accepted: NIODeadline)] = []
        var fromAddress = 0
        var idle: [(id: Int, since: NIODeadline)] = []
        var counted = 0
        for (id, entry) in entries where !entry.leaving {
            counted += 1
            let activity = entry.connection.activity.current
            if !activity.established {
                handshaking.append((id, entry.accepted))
                if entry.address == address { fromAddress += 1 }
            } else if activity.callsInFlight == 0 {
                idle.append((id, activity.idleSince))
            }
        }
        guard fromAddress < limits.handshakesPerAddress else {
            return .refuse(reason: "\(limits.handshakesPerAddress) handshakes in progress from \(address)")
        }
        var evicted: [ServerConnection] = []
        if handshaking.count >= limits.handshakes, let oldest = handshaking.min(by: { $0.accepted < $1.accepted }) {
            evicted.append(leave(oldest.id))
            counted -= 1
        }
        var retired: [ServerConnection] = []
        if counted >= limits.connections {
            guard let longest = idle.min(by: { $0.since < $1.since }) else {
                return .refuse(reason: "\(limits.connections) connections, every one busy or handshaking")
            }
            retired.append(leave(longest.id))
        }
        nextID += 1
        entries[nextID] = Entry(connection: connection, address: address, accepted: .now())
        _ = freed.shouldRelease(connections: entries.count)
        return .admit(id: nextID, evicted: evicted, retired: retired)
    }

    private mutating func leave(_ id: Int) -> ServerConnection {
        entries[id]!.leaving = true
        return entries[id]!.connection
    }

    /// Forgets a connection that has ended; true when enough have ended
    /// since the peak that their memory should go back to the system.
    mutating func remove(_ id: Int) -> Bool {
        entries[id] = nil
        return freed.shouldRelease(connections: entries.count)
    }

    mutating func beginShutdown() -> [ServerConnection] {
        shuttingDown = true
        return entries.values.map(\.connection)
    }
}
