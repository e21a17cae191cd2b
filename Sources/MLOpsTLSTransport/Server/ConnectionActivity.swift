import MLOpsRPC
import NIOConcurrencyHelpers
import NIOCore

/// What the server needs to know of a connection to choose whom to let go
/// when it is full: whether its client has passed the TLS handshake, and
/// whether (and since when) it has had no call in flight. Written by the
/// connection's handler, read when another connection arrives.
final class ConnectionActivity: Sendable {
    struct State {
        var established = false
        var callsInFlight = 0
        var idleSince = NIODeadline.now()
    }

    private let state = NIOLockedValueBox(State())

    var current: State { state.withLockedValue { $0 } }

    func markEstablished() {
        state.withLockedValue { $0.established = true }
    }

    func setCallsInFlight(_ count: Int) {
        state.withLockedValue { state in
            if count == 0, state.callsInFlight > 0 { state.idleSince = .now() }
            state.callsInFlight = count
        }
    }

    func adjustCallsInFlight(by change: Int) {
        state.withLockedValue { state in
            if state.callsInFlight + change == 0, state.callsInFlight > 0 { state.idleSince = .now() }
            state.callsInFlight += change
        }
    }
}
