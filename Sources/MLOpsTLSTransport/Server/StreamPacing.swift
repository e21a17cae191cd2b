import NIOCore

/// Lets a streaming handler that writes without pause share its event loop.
/// NIO runs every task that is due before it polls its sockets, and calls run
/// as tasks on their connection's loop: a handler writing to a client that
/// keeps up (the socket never full) would keep the loop from reading anything,
/// a cancel, other calls, other connections, for as long as it writes.
/// So a stream writes in slices of a millisecond: at the end of one, its
/// writer waits until the message is on the socket, then for a timer a
/// millisecond out, which is not yet due when the loop has finished that
/// work, so the loop polls first. A stream that never stops writing gets
/// about half its loop; one that writes now and then never pauses.
struct StreamPacing {
    static let slice = TimeAmount.milliseconds(1)

    private var sliceStarted: NIODeadline?

    init() {}

    /// Counts a message written now; true when the slice is over and the
    /// writer should wait for this message to be written, then `pause(on:)`.
    mutating func pauseDue() -> Bool {
        let now = NIODeadline.now()
        guard let started = sliceStarted else {
            sliceStarted = now
            return false
        }
        guard now - started >= Self.slice else { return false }
        sliceStarted = nil
        return true
    }

    static func pause(on eventLoop: any EventLoop) async {
        await withCheckedContinuation { resumed in
            eventLoop.scheduleTask(in: slice) { resumed.resume() }
        }
    }
}
