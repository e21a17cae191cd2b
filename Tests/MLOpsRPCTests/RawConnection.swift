import MLOpsTLS
import MLOpsTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A connection that sends whatever bytes a test wants, over TLS or not, and
/// reads what comes back until the server closes it.
struct RawConnection {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static func plaintext(port: Int) async throws -> RawConnection {
        try await connect(port: port, tls: nil)
    }

    static func tls(
        port: Int,
        server: LiveServer,
        identity: String = "retraining-gate",
        applicationProtocols: [String] = [TLSConfiguration.rpcProtocol]
    ) async throws -> RawConnection {
        let issued = try server.authority.issue(commonName: identity)
        var configuration = TLSConfiguration.client(
            serverName: "127.0.0.1",
            trustRootsPath: server.authority.authorityPath,
            certificateChainPath: issued.certificatePath,
            privateKeyPath: issued.keyPath
        )
        configuration.applicationProtocols = applicationProtocols
        return try await connect(port: port, tls: try TLSContext(configuration: configuration))
    }

    private static func connect(port: Int, tls: TLSContext?) async throws -> RawConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try TLSHandler(context: tls)) }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawConnection(channel: channel)
    }

    /// Sends `bytes` and reads nothing for `duration`, as a stalled client would.
    func sendAndStall(_ bytes: [UInt8], for duration: Duration) async throws {
        try await channel.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(bytes: bytes))
            try await Task.sleep(for: duration)
        }
    }

    /// Sends `bytes`, then reads until the peer closes or `timeout` passes;
    /// with `answered`, stops `grace` after the bytes so far satisfy it (a slow
    /// machine gets the whole timeout to answer, a fast one does not wait it out).
    /// The default timeout is long because a closing peer ends the wait at
    /// once, and a test suite that starts dozens of processes can starve it.
    func exchange(
        _ bytes: [UInt8],
        timeout: Duration = .seconds(30),
        answered: (@Sendable ([UInt8]) -> Bool)? = nil,
        grace: Duration = .milliseconds(500)
    ) async throws -> (received: [UInt8], closed: Bool) {
        let received = NIOLockedValueBox<[UInt8]>([])
        return try await channel.executeThenClose { inbound, outbound in
            if !bytes.isEmpty { try await outbound.write(ByteBuffer(bytes: bytes)) }
            let closed = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    do {
                        for try await buffer in inbound {
                            received.withLockedValue { $0 += buffer.readableBytesView }
                        }
                    } catch {
                        // A reset or TLS failure is a close too.
                    }
                    return true
                }
                group.addTask {
                    let deadline = ContinuousClock.now + timeout
                    while ContinuousClock.now < deadline {
                        if let answered, answered(received.withLockedValue { $0 }) {
                            try await Task.sleep(for: grace)
                            return false
                        }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    return false
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            return (received.withLockedValue { $0 }, closed)
        }
    }
}

/// Records whether the TLS layer below saw the peer's close_notify.
final class CloseNotifyRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let received = NIOLockedValueBox(false)

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is TLSClosedByPeer { received.withLockedValue { $0 = true } }
        context.fireUserInboundEventTriggered(event)
    }
}
