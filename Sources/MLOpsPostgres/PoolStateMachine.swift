/// The pool's bookkeeping and nothing else: which connections are idle, how
/// many are open or opening, who waits in which order. No locks, threads,
/// timers or libpq (as postgres-nio's `PoolStateMachine`): `PostgresPool`
/// holds it under a lock and carries out what each step returns.
///
/// Callers never open connections themselves: one who finds none idle joins
/// the line, and the pool opens connections in the background (one per
/// waiter, up to the bound). Whatever comes first, a connection opened or one
/// given back, goes to the first in line. So a slow open (a DNS lookup timing
/// out) holds up nobody a returning connection could serve, and a failed one
/// fails no caller while connections in use will come back; only when none
/// is open, lent or opening are those in line told it failed.
struct PoolStateMachine<Connection: AnyObject> {
    typealias WaiterID = Int

    /// What a caller asking for a connection does next.
    enum Acquisition {
        case reuse(Connection)
        /// Join the line under this id (`join`).
        case wait(WaiterID)
    }

    enum Joining {
        /// Something came back since the caller found nothing: no need to wait.
        case ready(Connection)
        /// In line; with `open`, the pool opens a connection for the line.
        case waiting(open: Bool)
        /// Its task was cancelled before it could join.
        case cancelled
    }

    /// What the pool carries out after a step.
    struct Actions {
        /// Connections to give to waiters, in line order.
        var handovers: [(WaiterID, Connection)] = []
        /// Waiters to tell that no connection can be had now.
        var failed: [WaiterID] = []
        /// Connections to open in the background.
        var opens = 0
    }

    struct Closed: Error {}

    let maximumConnections: Int
    private(set) var idle: [Connection] = []
    /// Open or being opened.
    private(set) var total = 0
    private(set) var opening = 0
    /// Lent to callers.
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

    /// An idle connection, or a place in line.
    mutating func acquire() throws(Closed) -> Acquisition {
        guard !closed else { throw Closed() }
        if let connection = takeIdle() { return .reuse(connection) }
        nextWaiterID += 1
        joining[nextWaiterID] = false
        return .wait(nextWaiterID)
    }

    /// The waiter `id` (from `acquire`) is ready to be served.
    mutating func join(_ id: WaiterID) -> Joining {
        if joining.removeValue(forKey: id) == true { return .cancelled }
        if let connection = takeIdle() { return .ready(connection) }
        line.append(id)
        return .waiting(open: reserveOpen())
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

    /// A connection was opened: to the first in line, else idle (or dropped,
    /// which closes it, once the pool is closed).
    mutating func opened(_ connection: Connection) -> Actions {
        opening -= 1
        if closed {
            total -= 1
            return Actions()
        }
        guard !line.isEmpty else {
            idle.append(connection)
            return Actions()
        }
        inUse += 1
        return Actions(handovers: [(line.removeFirst(), connection)])
    }

    /// A connection could not be opened. Those in line wait on for one in
    /// use or being opened; with none, nothing will come, and they are told.
    mutating func openFailed() -> Actions {
        opening -= 1
        total -= 1
        guard inUse == 0, opening == 0 else { return Actions() }
        defer { line.removeAll() }
        return Actions(failed: line)
    }

    /// A connection comes back: to the first in line, else idle (or closed,
    /// once the pool is). A broken one frees its slot, and one is opened in
    /// its place when someone waits.
    mutating func release(_ connection: Connection, healthy: Bool) -> Actions {
        guard healthy else {
            inUse -= 1
            total -= 1
            return Actions(opens: !line.isEmpty && reserveOpen() ? 1 : 0)
        }
        if !line.isEmpty { return Actions(handovers: [(line.removeFirst(), connection)]) }
        inUse -= 1
        if closed {
            total -= 1
        } else {
            idle.append(connection)
        }
        return Actions()
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

    private mutating func takeIdle() -> Connection? {
        guard let connection = idle.popLast() else { return nil }
        inUse += 1
        return connection
    }

    /// Room for one more connection while opens in flight are fewer than
    /// those waiting: reserved, to be opened.
    private mutating func reserveOpen() -> Bool {
        guard total < maximumConnections, opening < line.count else { return false }
        total += 1
        opening += 1
        return true
    }

    private mutating func leave(_ id: WaiterID) -> Bool {
        guard let index = line.firstIndex(of: id) else { return false }
        line.remove(at: index)
        return true
    }
}

extension PoolStateMachine: Sendable where Connection: Sendable {}
extension PoolStateMachine.Acquisition: Sendable where Connection: Sendable {}
extension PoolStateMachine.Joining: Sendable where Connection: Sendable {}
