import Testing

@testable import MLOpsPostgres

/// The pool's bookkeeping alone: no database, threads or timers.
@Suite("The pool's state machine")
struct PoolStateMachineTests {
    final class Connection {}
    typealias Machine = PoolStateMachine<Connection>

    struct Unexpected: Error {}

    /// A caller in line; whether the pool opens a connection for it.
    private func waiter(_ machine: inout Machine) throws -> (id: Machine.WaiterID, opens: Bool) {
        guard case .wait(let id) = try machine.acquire(), case .waiting(let opens) = machine.join(id) else {
            throw Unexpected()
        }
        return (id, opens)
    }

    /// A connection opened for a caller and lent to it.
    @discardableResult
    private func lent(_ machine: inout Machine) throws -> Connection {
        let (id, opens) = try waiter(&machine)
        let connection = Connection()
        guard opens, let handover = machine.opened(connection).handovers.first, handover.0 == id else {
            throw Unexpected()
        }
        return connection
    }

    @Test func opensOneConnectionPerWaiterInTheBackgroundUpToTheBound() throws {
        var machine = Machine(maximumConnections: 2)
        let first = try waiter(&machine)
        let second = try waiter(&machine)
        let third = try waiter(&machine)
        #expect(first.opens && second.opens && !third.opens)
        #expect(machine.total == 2 && machine.opening == 2 && machine.inUse == 0 && machine.waiting == 3)
    }

    @Test func whicheverComesFirstServesTheFirstInLine() throws {
        var machine = Machine(maximumConnections: 2)
        let returning = try lent(&machine)
        let (first, opens) = try waiter(&machine)
        #expect(opens)
        // A connection given back while the open is slow (a DNS lookup timing out) serves the caller at once.
        let given = machine.release(returning, healthy: true).handovers
        #expect(given.count == 1 && given[0].0 == first && given[0].1 === returning)
        // The open, when it ends, keeps its connection for the next caller.
        let opened = Connection()
        let afterOpen = machine.opened(opened)
        #expect(afterOpen.handovers.isEmpty)
        #expect(machine.idle.count == 1 && machine.idle[0] === opened && machine.inUse == 1 && machine.total == 2)
        guard case .reuse(let reused) = try machine.acquire() else { throw Unexpected() }
        #expect(reused === opened)
    }

    @Test func aReleasedConnectionGoesToTheFirstInLineElseIdle() throws {
        var machine = Machine(maximumConnections: 1)
        let connection = try lent(&machine)
        let (first, _) = try waiter(&machine)
        let (second, _) = try waiter(&machine)
        let back1 = machine.release(connection, healthy: true)
        #expect(back1.handovers.map(\.0) == [first])
        let back2 = machine.release(connection, healthy: true)
        #expect(back2.handovers.map(\.0) == [second])
        let back3 = machine.release(connection, healthy: true)
        #expect(back3.handovers.isEmpty)
        #expect(machine.idle.count == 1 && machine.inUse == 0 && machine.waiting == 0)
    }

    @Test func aFailedOpenFailsNobodyWhileAConnectionInUseWillComeBack() throws {
        var machine = Machine(maximumConnections: 2)
        let inUse = try lent(&machine)
        let (id, opens) = try waiter(&machine)
        #expect(opens)
        let failed = machine.openFailed()
        #expect(failed.failed.isEmpty && machine.total == 1 && machine.waiting == 1)
        let back = machine.release(inUse, healthy: true)
        #expect(back.handovers.map(\.0) == [id])
    }

    @Test func aFailedOpenWithNothingElseComingTellsTheLine() throws {
        var machine = Machine(maximumConnections: 2)
        let (first, _) = try waiter(&machine)
        let (second, _) = try waiter(&machine)
        // One open failed, the other is still on its way: keep waiting for it.
        let afterFailure1 = machine.openFailed()
        #expect(afterFailure1.failed.isEmpty)
        let afterFailure2 = machine.openFailed()
        #expect(afterFailure2.failed == [first, second])
        #expect(machine.total == 0 && machine.opening == 0 && machine.waiting == 0)
        // The next caller tries again.
        let next = try waiter(&machine)
        #expect(next.opens)
    }

    @Test func aBrokenConnectionFreesItsSlotAndOneIsOpenedForTheLine() throws {
        var machine = Machine(maximumConnections: 1)
        let broken = try lent(&machine)
        let (id, opens) = try waiter(&machine)
        #expect(!opens)  // no room: the pool is at its bound
        let back1 = machine.release(broken, healthy: false)
        #expect(back1.opens == 1)
        #expect(machine.total == 1 && machine.opening == 1 && machine.inUse == 0)
        let replacement = Connection()
        let afterOpen = machine.opened(replacement)
        #expect(afterOpen.handovers.map(\.0) == [id])
        // With nobody waiting, the slot is given up.
        let back2 = machine.release(replacement, healthy: false)
        #expect(back2.opens == 0 && machine.total == 0)
    }

    @Test func aCancelledWaiterLeavesTheLineAtOnce() throws {
        var machine = Machine(maximumConnections: 1)
        let connection = try lent(&machine)
        let (first, _) = try waiter(&machine)
        let (second, _) = try waiter(&machine)
        let (once, twice) = (machine.cancel(first), machine.cancel(first))
        #expect(once && !twice && machine.waiting == 1)
        let back = machine.release(connection, healthy: true)
        #expect(back.handovers.map(\.0) == [second])
    }

    @Test func aCancelBeforeJoiningKeepsTheWaiterOut() throws {
        var machine = Machine(maximumConnections: 1)
        try lent(&machine)
        guard case .wait(let id) = try machine.acquire() else { throw Unexpected() }
        let told = machine.cancel(id)
        #expect(!told)  // not in line yet: nobody to tell
        guard case .cancelled = machine.join(id) else { throw Unexpected() }
        #expect(machine.waiting == 0)
    }

    @Test func aConnectionBackBeforeJoiningServesTheWaiterWithoutWaiting() throws {
        var machine = Machine(maximumConnections: 1)
        let connection = try lent(&machine)
        guard case .wait(let id) = try machine.acquire() else { throw Unexpected() }
        let back = machine.release(connection, healthy: true)
        #expect(back.handovers.isEmpty)
        guard case .ready(let given) = machine.join(id) else { throw Unexpected() }
        #expect(given === connection && machine.waiting == 0 && machine.inUse == 1)
    }

    @Test func aTimedOutWaiterIsToldOnceAndItsOpenedConnectionKept() throws {
        var machine = Machine(maximumConnections: 1)
        let (id, _) = try waiter(&machine)
        let (once, twice) = (machine.timeOut(id), machine.timeOut(id))
        #expect(once && !twice)
        let afterOpen = machine.opened(Connection())
        #expect(afterOpen.handovers.isEmpty)
        #expect(machine.idle.count == 1 && machine.total == 1)
    }

    @Test func idleConnectionsTheServerHungUpOnAreDropped() throws {
        var machine = Machine(maximumConnections: 3)
        let (alive, dead) = (try lent(&machine), try lent(&machine))
        _ = machine.release(alive, healthy: true)
        _ = machine.release(dead, healthy: true)
        let dropped = machine.dropIdle { $0 === dead }
        #expect(dropped == 1)
        #expect(machine.idle.count == 1 && machine.idle[0] === alive && machine.total == 1)
    }

    @Test func closingTellsTheLineAndRefusesLaterCallers() throws {
        var machine = Machine(maximumConnections: 2)
        let inUse = try lent(&machine)
        let (id, opens) = try waiter(&machine)
        let (idle, waiters) = machine.close()
        #expect(opens && idle.isEmpty && waiters == [id] && machine.waiting == 0)
        var closed = machine
        #expect(throws: Machine.Closed.self) { try closed.acquire() }
        // Connections in use, or opened late, are dropped as they come, not kept.
        let back = machine.release(inUse, healthy: true)
        #expect(back.handovers.isEmpty)
        let afterOpen = machine.opened(Connection())
        #expect(afterOpen.handovers.isEmpty)
        #expect(machine.idle.isEmpty && machine.total == 0 && machine.inUse == 0)
    }

    @Test func closingGivesUpTheIdleConnections() throws {
        var machine = Machine(maximumConnections: 2)
        let idleOne = try lent(&machine)
        try lent(&machine)
        _ = machine.release(idleOne, healthy: true)
        let (idle, waiters) = machine.close()
        #expect(idle.count == 1 && idle[0] === idleOne && waiters.isEmpty)
        #expect(machine.idle.isEmpty && machine.total == 1 && machine.inUse == 1)
    }
}
