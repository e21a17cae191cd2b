internal import CPostgreSQL

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// A NOTIFY delivered to a connection that LISTENs on its channel.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    /// The backend that sent it.
    public var processID: Int32
}

extension PostgresConnection {
    /// Subscribes this connection to `channel`'s notifications.
    public func listen(_ channel: String) throws(PostgresError) {
        try query("LISTEN \(identifier: channel)")
    }

    /// The notifications that have arrived, waiting up to `timeout` for the
    /// first one; empty if none came. Blocks, like every libpq call.
    public func notifications(waitingUpTo timeout: Duration) throws(PostgresError) -> [PostgresNotification] {
        var arrived = try drainNotifications()
        guard arrived.isEmpty else { return arrived }
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else {
            throw PostgresError(code: .connectionFailed, message: "the connection has no socket")
        }
        let milliseconds = Int32(
            clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        )
        let ready = poll(&descriptor, 1, milliseconds)
        if ready < 0, errno != EINTR {
            throw PostgresError(code: .connectionFailed, message: "waiting for notifications failed (errno \(errno))")
        }
        arrived = try drainNotifications()
        return arrived
    }

    private func drainNotifications() throws(PostgresError) -> [PostgresNotification] {
        guard PQconsumeInput(connection) == 1 else {
            throw PostgresError(code: .connectionFailed, message: Self.errorMessage(connection))
        }
        var arrived: [PostgresNotification] = []
        while let notify = PQnotifies(connection) {
            arrived.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra),
                    processID: notify.pointee.be_pid
                )
            )
            PQfreemem(notify)
        }
        return arrived
    }
}
