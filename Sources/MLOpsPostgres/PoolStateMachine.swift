/// The pool's bookkeeping and nothing else: which connections are idle, how
/// many are open or opening, who waits in which order. No locks, threads,
/// timers or libpq (as postgres-nio's `PoolStateMachine`): `PostgresPool`
/// holds it under a lock and carries out what each step returns.
struct PoolStateMachine<Connection: AnyObject> {
    typealias WaiterID = Int

    /// What a caller asking for a connection does next.
    enum Acquisition {
        case reuse(Connection)
        /// A slot is reserved: open a connection in it.
        case open
        /// Join the line under this id (`join`).
        case wait(WaiterID)
    }

    /// What a waiter is handed when its turn comes.
    enum Handover {
        case connection(Connection)
        /// A connection went away: open one in its slot.
        case slot
    }

    enum Joining {
        /// Something freed up since the caller found nothing: no need to wait.
        case ready(Handover)
        case waiting
        /// Its task was cancelled before it could join.
        case cancelled
    }

    struct Closed: Error {}

    let maximumConnections: Int
    private(set) var idle: [Connection] = []
    /// Open or being opened.
    private(set) var total = 0
    private(set) var inUse = 0
    private var line: [WaiterID] = []
    /// Waiters given an id but not yet in line, and whether their task was
    /// cancelled meanwhile.
    private var joining: [WaiterID: Bool] = [:]
    private var nextWaiterID = 0
    private(set) var closed = false

    init(maximumConnections: Int) {
        self.maximumConnections = maximumConnections
    }

    var waiting: Int { line.count }

    /// An idle connection, or a free slot to open one in, or a place in line.
    mutating func acquire() throws(Closed) -> Acquisition {
        guard !closed else { throw Closed() }
        if let ready = take() { return ready }
        nextWaiterID += 1
        joining[nextWaiterID] = false
        return .wait(nextWaiterID)
    }

    /// The waiter `id` (from `acquire`) is ready to be served.
    mutating func join(_ id: WaiterID) -> Joining {
        if joining.removeValue(forKey: id) == true { return .cancelled }
        if let ready = take() {
            switch ready {
            case .reuse(let connection): return .ready(.connection(connection))
            case .open: return .ready(.slot)
            case .wait: break  // `take` never says wait
            }
        }
        line.append(id)
        return .waiting
    }

    /// The waiter's task was cancelled. True when it was in line and must be
    /// told; one not yet in line will not join.
    mutating func cancel(_ id: WaiterID) -> Bool {
        if leave(id) { return true }
        if joining[id] != nil { joining[id] = true }
        return false
    }

    /// The waiter's time ran out. True when it was still in line and must be told.
    mutating func timeOut(_ id: WaiterID) -> Bool {
        leave(id)
    }

    /// A connection comes back: to the first in line, else idle (or closed,
    /// once the pool is). A broken one frees its slot instead.
    mutating func release(_ connection: Connection, healthy: Bool) -> (WaiterID, Handover)? {
        guard healthy else { return slotFreed() }
        if !line.isEmpty { return (line.removeFirst(), .connection(connection)) }
        inUse -= 1
        if closed {
            total -= 1
        } else {
            idle.append(connection)
        }
        return nil
    }

    /// A connection could not be opened in its reserved slot.
    mutating func openFailed() -> (WaiterID, Handover)? {
        slotFreed()
    }

    /// Drops the idle connections `isDead` picks; how many.
    mutating func dropIdle(where isDead: (Connection) -> Bool) -> Int {
        let before = idle.count
        idle.removeAll(where: isDead)
        total -= before - idle.count
        return before - idle.count
    }

    /// Later acquisitions fail; idle connections go (returned: to close);
    /// those in line are returned, to be told.
    mutating func close() -> (idle: [Connection], waiters: [WaiterID]) {
        closed = true
        defer {
            total -= idle.count
            idle = []
            line = []
        }
        return (idle, line)
    }

    private mutating func take() -> Acquisition? {
        if let connection = idle.popLast() {
            inUse += 1
            return .reuse(connection)
        }
        guard total < maximumConnections else { return nil }
        total += 1
        inUse += 1
        return .open
    }

    private mutating func slotFreed() -> (WaiterID, Handover)? {
        if !line.isEmpty { return (line.removeFirst(), .slot) }
        inUse -= 1
        total -= 1
        return nil
    }

    private mutating func leave(_ id: WaiterID) -> Bool {
        guard let index = line.firstIndex(of: id) else { return false }
        line.remove(at: index)
        return true
    }
}

extension PoolStateMachine: Sendable where Connection: Sendable {}
extension PoolStateMachine.Acquisition: Sendable where Connection: Sendable {}
extension PoolStateMachine.Handover: Sendable where Connection: Sendable {}
extension PoolStateMachine.Joining: Sendable where Connection: Sendable {}
