import MLOpsRPC
import MLOpsTLS
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Synchronization

/// One server address a client calls and its connection: made on first use,
/// made again, with backoff, when it breaks or the server sends GOAWAY.
final class Endpoint: Sendable {
    /// `host:port (address)`, for errors.
    let name: String
    let address: SocketAddress
    private let configuration: RPCClientConfiguration
    private let tls: TLSContext
    private let eventLoop: any EventLoop
    private let state = NIOLockedValueBox(ConnectionState.idle(failures: 0, retryAfter: nil))
    /// Calls started here and not yet answered: the load the balancer compares.
    private let callsInFlight = Atomic(0)

    private enum ConnectionState {
        case idle(failures: Int, retryAfter: ContinuousClock.Instant?)
        case connecting(EventLoopFuture<ClientConnection>)
        case ready(ClientConnection)
        case closed
    }

    init(
        name: String,
        address: SocketAddress,
        configuration: RPCClientConfiguration,
        tls: TLSContext,
        eventLoop: any EventLoop
    ) {
        self.name = name
        self.address = address
        self.configuration = configuration
        self.tls = tls
        self.eventLoop = eventLoop
    }

    /// What the balancer sees of the connection.
    enum Readiness: Comparable {
        /// Takes calls now.
        case ready
        /// A connection is being made, or could be at once.
        case connectable
        /// Failed lately; not tried again before the instant.
        case backingOff(until: ContinuousClock.Instant)
        case closed
    }

    var readiness: Readiness {
        state.withLockedValue { state in
            switch state {
            case .ready(let connection): connection.acceptsCalls ? .ready : .connectable
            case .connecting: .connectable
            case .idle(_, let retryAfter?) where retryAfter > .now: .backingOff(until: retryAfter)
            case .idle: .connectable
            case .closed: .closed
            }
        }
    }

    var load: Int { callsInFlight.load(ordering: .relaxed) }

    func callStarted() {
        callsInFlight.add(1, ordering: .relaxed)
    }

    func callEnded() {
        callsInFlight.subtract(1, ordering: .relaxed)
    }

    /// Starts connecting in the background unless a connection is on its way.
    func warmUp() {
        guard !isConnecting else { return }
        Task { _ = try? await self.connection() }
    }

    private var isConnecting: Bool {
        state.withLockedValue { if case .connecting = $0 { true } else { false } }
    }

    /// Closes the connection once its calls are answered; new calls go elsewhere.
    func drain() {
        let previous = state.withLockedValue { state in
            defer { state = .closed }
            return state
        }
        if case .ready(let connection) = previous { connection.outbox.enqueue(.drain) }
    }

    /// Closes the connection now; calls in flight fail with UNAVAILABLE.
    func close() async {
        let previous = state.withLockedValue { state in
            defer { state = .closed }
            return state
        }
        if case .ready(let connection) = previous {
            try? await connection.channel.close()
        }
    }

    /// - Throws: `CallNotSent` when no connection can be had.
    func connection() async throws -> ClientConnection {
        enum Next {
            case use(ClientConnection)
            case await(EventLoopFuture<ClientConnection>)
            case wait(Duration)
            case connect(EventLoopPromise<ClientConnection>, failures: Int)
        }
        while true {
            let next: Next = try state.withLockedValue { state in
                switch state {
                case .ready(let connection) where connection.acceptsCalls:
                    return .use(connection)
                case .ready:
                    // The connection is going away: make the next one now.
                    let promise = eventLoop.makePromise(of: ClientConnection.self)
                    state = .connecting(promise.futureResult)
                    return .connect(promise, failures: 0)
                case .connecting(let future):
                    return .await(future)
                case .idle(let failures, let retryAfter):
                    if let retryAfter, retryAfter > .now {
                        return .wait(retryAfter - .now)
                    }
                    let promise = eventLoop.makePromise(of: ClientConnection.self)
                    state = .connecting(promise.futureResult)
                    return .connect(promise, failures: failures)
                case .closed:
                    throw CallNotSent(error: RPCError(code: .unavailable, message: "\(name): the client is closed"))
                }
            }
            switch next {
            case .use(let connection):
                return connection
            case .await(let future):
                return try await future.get()
            case .wait(let delay):
                try await Task.sleep(for: delay)
            case .connect(let promise, let failures):
                do {
                    let connection = try await connect()
                    let kept = state.withLockedValue { state in
                        guard case .connecting = state else { return false }  // drained or closed meanwhile
                        state = .ready(connection)
                        return true
                    }
                    if !kept { connection.outbox.enqueue(.drain) }
                    promise.succeed(connection)
                    return connection
                } catch {
                    let backoff = min(
                        configuration.reconnectBackoff.initial * (1 << min(failures, 16)),
                        configuration.reconnectBackoff.maximum
                    )
                    state.withLockedValue { state in
                        guard case .connecting = state else { return }
                        state = .idle(failures: failures + 1, retryAfter: .now + backoff)
                    }
                    let notSent = CallNotSent(
                        error: error as? RPCError
                            ?? RPCError(code: .unavailable, message: "cannot reach \(name): \(error)", cause: error)
                    )
                    promise.fail(notSent)
                    throw notSent
                }
            }
        }
    }

    private func connect() async throws -> ClientConnection {
        let tls = self.tls
        let configuration = self.configuration
        let name = self.name
        let channel = try await ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ready = channel.eventLoop.makePromise(of: Void.self)
                    let handler = ClientConnectionHandler(
                        address: name,
                        ready: ready,
                        maximumFrameSize: configuration.maximumFrameSize
                    )
                    try channel.pipeline.syncOperations.addHandlers([try TLSHandler(context: tls), handler])
                    let loopBound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
                    let outbox = BatchingOutbox<ClientOutboundItem>(eventLoop: channel.eventLoop) { items in
                        loopBound.value.write(items)
                    }
                    return (
                        ClientConnection(channel: channel, outbox: outbox, acceptsCallsFlag: handler.acceptsCalls),
                        ready.futureResult
                    )
                }
            }
        do {
            try await channel.1.get()
        } catch {
            channel.0.channel.close(promise: nil)
            throw RPCError(code: .unavailable, message: "cannot reach \(name): \(error)", cause: error)
        }
        return channel.0
    }
}

/// A live connection the client hands calls to.
struct ClientConnection: Sendable {
    let channel: any Channel
    let outbox: BatchingOutbox<ClientOutboundItem>
    let acceptsCallsFlag: NIOLockedValueBox<Bool>

    var acceptsCalls: Bool { acceptsCallsFlag.withLockedValue { $0 } && channel.isActive }

    /// Hands a call to the connection's event loop.
    func start(
        _ handle: ClientCallHandle,
        _ method: String,
        _ payload: [UInt8],
        _ options: CallOptions,
        _ consumer: ResponseConsumer
    ) {
        let call = ClientCallStart(
            handle: handle,
            method: method,
            payload: payload,
            timeout: options.timeout,
            consumer: consumer
        )
        outbox.enqueue(.start(call))
    }
}
