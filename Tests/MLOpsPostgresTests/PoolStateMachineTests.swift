import Testing

@testable import MLOpsPostgres

/// The pool's bookkeeping alone: no database, threads or timers.
@Suite("The pool's state machine")
struct PoolStateMachineTests {
    final class Connection {}
    typealias Machine = PoolStateMachine<Connection>

    private func opened(_ machine: inout Machine) throws {
        guard case .open = try machine.acquire() else { throw Unexpected() }
    }

    private func waiter(_ machine: inout Machine) throws -> Machine.WaiterID {
        guard case .wait(let id) = try machine.acquire(), case .waiting = machine.join(id) else { throw Unexpected() }
        return id
    }

    struct Unexpected: Error {}

    @Test func opensUpToTheBoundThenQueues() throws {
        var machine = Machine(maximumConnections: 2)
        try opened(&machine)
        try opened(&machine)
        #expect(machine.total == 2 && machine.inUse == 2)
        let id = try waiter(&machine)
        #expect(machine.waiting == 1 && id > 0)
    }

    @Test func aReleasedConnectionGoesToTheFirstInLineElseIdle() throws {
        var machine = Machine(maximumConnections: 1)
        try opened(&machine)
        let first = try waiter(&machine)
        let second = try waiter(&machine)
        let connection = Connection()
        guard case let (id, .connection(given))? = machine.release(connection, healthy: true) else {
            throw Unexpected()
        }
        #expect(id == first && given === connection)
        let next = machine.release(connection, healthy: true)
        #expect(next?.0 == second)
        let last = machine.release(connection, healthy: true)
        #expect(last == nil)
        #expect(machine.idle.count == 1 && machine.inUse == 0 && machine.waiting == 0)
        guard case .reuse(let reused) = try machine.acquire() else { throw Unexpected() }
        #expect(reused === connection)
    }

    @Test func aBrokenConnectionHandsItsSlotOn() throws {
        var machine = Machine(maximumConnections: 1)
        try opened(&machine)
        let id = try waiter(&machine)
        guard case let (handedTo, .slot)? = machine.release(Connection(), healthy: false) else { throw Unexpected() }
        #expect(handedTo == id && machine.total == 1 && machine.inUse == 1)
        // With nobody waiting, the slot is given up.
        let nobody = machine.release(Connection(), healthy: false)
        #expect(nobody == nil && machine.total == 0 && machine.inUse == 0)
    }

    @Test func aFailedOpenFreesItsSlot() throws {
        var machine = Machine(maximumConnections: 1)
        try opened(&machine)
        let nobody = machine.openFailed()
        #expect(nobody == nil && machine.total == 0)
        try opened(&machine)
    }

    @Test func aCancelledWaiterLeavesTheLineAtOnce() throws {
        var machine = Machine(maximumConnections: 1)
        try opened(&machine)
        let first = try waiter(&machine)
        let second = try waiter(&machine)
        let (once, twice) = (machine.cancel(first), machine.cancel(first))
        #expect(once && !twice && machine.waiting == 1)
        let next = machine.release(Connection(), healthy: true)
        #expect(next?.0 == second)
    }

    @Test func aCancelBeforeJoiningKeepsTheWaiterOut() throws {
        var machine = Machine(maximumConnections: 1)
        try opened(&machine)
        guard case .wait(let id) = try machine.acquire() else { throw Unexpected() }
        let told = machine.cancel(id)
        #expect(!told)  // not in line yet: nobody to tell
        guard case .cancelled = machine.join(id) else { throw Unexpected() }
        #expect(machine.waiting == 0)
    }

    @Test func aConnectionBackBeforeJoiningServesTheWaiterWithoutWaiting() throws {
        var machine = Machine(maximumConnections: 1)
        try opened(&machine)
        guard case .wait(let id) = try machine.acquire() else { throw Unexpected() }
        let nobody = machine.release(Connection(), healthy: true)
        #expect(nobody == nil)
        guard case .ready(.connection) = machine.join(id) else { throw Unexpected() }
        #expect(machine.waiting == 0 && machine.inUse == 1)
    }

    @Test func aTimedOutWaiterIsToldOnceAndOnlyIfStillInLine() throws {
        var machine = Machine(maximumConnections: 1)
        try opened(&machine)
        let id = try waiter(&machine)
        let (once, twice) = (machine.timeOut(id), machine.timeOut(id))
        #expect(once && !twice)
        let nobody = machine.release(Connection(), healthy: true)
        #expect(nobody == nil && machine.idle.count == 1)  // nobody left in line
    }

    @Test func idleConnectionsTheServerHungUpOnAreDropped() throws {
        var machine = Machine(maximumConnections: 3)
        let (alive, dead) = (Connection(), Connection())
        try opened(&machine)
        try opened(&machine)
        _ = machine.release(alive, healthy: true)
        _ = machine.release(dead, healthy: true)
        let dropped = machine.dropIdle { $0 === dead }
        #expect(dropped == 1)
        #expect(machine.idle.count == 1 && machine.idle[0] === alive && machine.total == 1)
    }

    @Test func closingTellsTheLineAndRefusesLaterCallers() throws {
        var machine = Machine(maximumConnections: 2)
        try opened(&machine)
        try opened(&machine)
        let id = try waiter(&machine)
        let (idle, waiters) = machine.close()
        #expect(idle.isEmpty && waiters == [id] && machine.waiting == 0)
        var closed = machine
        #expect(throws: Machine.Closed.self) { try closed.acquire() }
        // Connections in use are closed as they come back, not kept.
        let back = machine.release(Connection(), healthy: true)
        #expect(back == nil && machine.idle.isEmpty && machine.total == 1 && machine.inUse == 1)
    }

    @Test func closingGivesUpTheIdleConnections() throws {
        var machine = Machine(maximumConnections: 2)
        try opened(&machine)
        try opened(&machine)
        let idleOne = Connection()
        _ = machine.release(idleOne, healthy: true)
        let (idle, waiters) = machine.close()
        #expect(idle.count == 1 && idle[0] === idleOne && waiters.isEmpty)
        #expect(machine.idle.isEmpty && machine.total == 1 && machine.inUse == 1)
    }
}
