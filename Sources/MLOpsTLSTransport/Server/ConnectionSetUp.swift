import Logging
import MLOpsRPC
import MLOpsTLS
import NIOConcurrencyHelpers
import NIOCore

/// A connection the server let in, and its place in the admission's books.
struct AdmittedConnection: Sendable {
    let connection: ServerConnection
    let id: Int
}

/// What happens to an accepted channel, on its event loop, as it arrives:
/// admission first (`ConnectionAdmission`), so a connection turned away
/// never starts a handshake nor serves a call, however far behind the accept
/// loop runs; then the TLS handler, and the handler that installs the
/// protocol ALPN agrees.
struct ConnectionSetUp: Sendable {
    let tls: TLSContext
    let router: RPCRouter
    let configuration: RPCServerConfiguration
    let admission: NIOLockedValueBox<ConnectionAdmission>
    let refusals: RateLimitedLog
    let logger: Logger

    /// The admitted connection, or nil when it was turned away or could not
    /// be set up (then it is closed): one connection's failure is never the server's.
    func admit(_ channel: any Channel) -> AdmittedConnection? {
        let calls = ServerCallTasks(executor: EventLoopTaskExecutor(channel.eventLoop))
        let activity = ConnectionActivity()
        let selection = ApplicationProtocolSelection(
            router: router,
            configuration: configuration,
            calls: calls,
            activity: activity,
            logger: logger
        )
        let connection = ServerConnection(
            channel: channel,
            calls: calls,
            protocolSelection: NIOLoopBound(selection, eventLoop: channel.eventLoop),
            activity: activity
        )
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        let id: Int
        switch admission.withLockedValue({ $0.admit(connection, from: address) }) {
        case .refuse(let reason):
            refusals.warning(metadata: ["reason": "\(reason)"])
            channel.close(promise: nil)
            return nil
        case .admit(let admitted, let evicted, let retired):
            for handshaking in evicted { handshaking.channel.close(promise: nil) }
            for idle in retired { idle.initiateGracefulShutdown() }
            id = admitted
        }
        do {
            // TCP_NODELAY is a TCP-level option: `.socketOption(.tcp_nodelay)`
            // would set SO_DEBUG, which only a privileged process may.
            try channel.syncOptions?.setOption(.tcpOption(.tcp_nodelay), value: 1)
            try channel.pipeline.syncOperations.addHandlers([try TLSHandler(context: tls), selection])
            return AdmittedConnection(connection: connection, id: id)
        } catch {
            logger.warning("could not set up an accepted connection", metadata: ["error": "\(error)"])
            _ = admission.withLockedValue { $0.remove(id) }
            channel.close(promise: nil)
            return nil
        }
    }
}
