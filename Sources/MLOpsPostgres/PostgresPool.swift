public import CoreMetrics
public import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A bounded pool of libpq connections. libpq blocks, so every use of a
/// connection runs on a `NIOThreadPool` thread, never on an event loop or the
/// cooperative pool: libpq's non-blocking API would need its own event-loop
/// integration per connection, and a thread per busy connection is what the
/// pool's bound allows anyway. Broken connections are dropped on return and
/// replaced on demand, so the pool heals by itself after a server restart.
public final class PostgresPool: Sendable {
    public struct Options: Sendable {
        /// The seed's SimpleConnectionPool(1, 10).
        public var maximumConnections = 10
        /// Waiting longer for a free connection is a `.poolTimeout` error.
        public var acquisitionTimeout: Duration = .seconds(5)

        public init(maximumConnections: Int = 10, acquisitionTimeout: Duration = .seconds(5)) {
            self.maximumConnections = maximumConnections
            self.acquisitionTimeout = acquisitionTimeout
        }
    }

    /// What the pool is doing, for metrics.
    public struct Statistics: Sendable, Equatable {
        public var inUse = 0
        public var idle = 0
        public var waiting = 0
        /// Connections opened since the start, replacements included.
        public var opened = 0
        /// Total time callers spent waiting for a connection.
        public var totalWait: Duration = .zero
    }

    private typealias Machine = PoolStateMachine<PostgresConnection>

    private struct Waiter {
        let continuation: CheckedContinuation<PostgresConnection, any Error>
        let timer: Scheduled<Void>?
    }

    /// The state machine decides; this keeps, for each waiter it has in
    /// line, the continuation to resume and its timer.
    private struct State {
        var machine: Machine
        var waiters: [Machine.WaiterID: Waiter] = [:]
        var opened = 0
        var totalWait: Duration = .zero

        var statistics: Statistics {
            Statistics(
                inUse: machine.inUse,
                idle: machine.idle.count,
                waiting: machine.waiting,
                opened: opened,
                totalWait: totalWait
            )
        }

        /// What the machine's step leaves to do, with the waiters it names.
        mutating func work(_ actions: Machine.Actions) -> Work {
            Work(
                handovers: actions.handovers.compactMap { id, connection in
                    waiters.removeValue(forKey: id).map { ($0, connection) }
                },
                failed: actions.failed.compactMap { waiters.removeValue(forKey: $0) },
                opens: actions.opens
            )
        }
    }

    /// A step's work, carried out outside the lock.
    private struct Work {
        var handovers: [(Waiter, PostgresConnection)] = []
        var failed: [Waiter] = []
        var opens = 0
    }

    public let configuration: PostgresConfiguration
    public let options: Options
    private let threadPool: NIOThreadPool
    private let timers: any EventLoop
    private let state: NIOLockedValueBox<State>
    private let logger: Logger
    private let metrics: PoolMetrics
    private static let closed = PostgresError(code: .connectionFailed, message: "the pool is closed")

    /// The pool runs libpq on threads of its own, one per connection it may
    /// hold, since each blocks for a whole round trip to the server. Its
    /// statistics go to `metricsFactory`, labelled with the application name.
    public init(
        configuration: PostgresConfiguration,
        options: Options = Options(),
        logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.configuration = configuration
        self.options = options
        self.metrics = PoolMetrics(pool: configuration.applicationName, factory: metricsFactory)
        self.state = NIOLockedValueBox(State(machine: Machine(maximumConnections: options.maximumConnections)))
        self.threadPool = NIOThreadPool(numberOfThreads: options.maximumConnections)
        self.threadPool.start()
        self.timers = MultiThreadedEventLoopGroup.singleton.any()
        self.logger = logger
    }

    public var statistics: Statistics {
        state.withLockedValue { $0.statistics }
    }

    /// Changes the state and publishes the statistics it leaves.
    private func update<T>(_ body: (inout State) throws -> T) rethrows -> T {
        let (result, statistics) = try state.withLockedValue { state in
            (try body(&state), state.statistics)
        }
        metrics.record(statistics)
        return result
    }

    /// Lends a connection to `body`, which runs on a thread-pool thread.
    /// Once it has its connection, `body` runs to its end even if the
    /// calling task is cancelled: what it sends cannot be taken back.
    @discardableResult
    public func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        let connection = try await acquire()
        do {
            let result = try await onPoolThread { try body(connection) }
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    public func withTransaction<Result: Sendable>(
        isolation: IsolationLevel = .readCommitted,
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try connection.rollingBackOnFailure {
                try connection.query(PostgresQuery(stringLiteral: "BEGIN ISOLATION LEVEL \(isolation.sql)"))
                let result = try body(connection)
                try connection.query("COMMIT")
                return result
            }
        }
    }

    /// Lends a connection to `body` on a pool thread and returns at once,
    /// not waiting for `body`: for work that answers its own callers
    /// (`WriteCombiner`). The connection comes back when `body` returns.
    /// `body` gets the error instead when no connection comes (the pool is
    /// closed, or none is free within the acquisition timeout).
    public func lend(_ body: @escaping @Sendable (Result<PostgresConnection, any Error>) -> Void) {
        let started = ContinuousClock.now
        let acquisition: Machine.Acquisition
        do {
            acquisition = try reserve()
        } catch {
            body(.failure(error))
            return
        }
        guard case .reuse(let connection) = acquisition else {
            // Opening or waiting: rare once the pool is warm.
            Task {
                do {
                    run(lent: try await complete(acquisition, since: started), body)
                } catch {
                    body(.failure(error))
                }
            }
            return
        }
        run(lent: connection, body)
    }

    private func run(
        lent connection: PostgresConnection,
        _ body: @escaping @Sendable (Result<PostgresConnection, any Error>) -> Void
    ) {
        threadPool.submit { state in
            if case .active = state {
                body(.success(connection))
            } else {
                body(.failure(Self.closed))
            }
            self.release(connection)
        }
    }

    /// Whether someone waits for a connection: long work should give its own back.
    var hasWaiters: Bool { state.withLockedValue { $0.machine.waiting > 0 } }

    /// `withTransaction`, tried again (up to `maximumAttempts` in all) when it
    /// fails with a serialization failure or a deadlock.
    @discardableResult
    public func withRetryingTransaction<Result: Sendable>(
        isolation: IsolationLevel = .serializable,
        maximumAttempts: Int = 5,
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await withTransaction(isolation: isolation, body)
            } catch let error as PostgresError where error.isTransient && attempt < maximumAttempts {
                attempt += 1
                logger.debug("retrying a transaction", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
            }
        }
    }

    /// `close()`, and waits until the pool's threads have finished what they
    /// were doing (opens in flight included): before a process exits, so
    /// that no libpq (or OpenSSL) call races exit's cleanup.
    public func shutdown() async {
        refuseLaterCallers()
        try? await threadPool.shutdownGracefully()
    }

    /// Closes the idle connections and stops the pool's threads once the
    /// connections in use come back; later calls fail.
    public func close() {
        refuseLaterCallers()
        // Work already queued still runs (told the pool is closing); its threads end after it.
        threadPool.shutdownGracefully { _ in }
    }

    private func refuseLaterCallers() {
        let waiters = update { state in
            // The idle connections are dropped here: libpq closes each as it goes.
            let (_, inLine) = state.machine.close()
            return inLine.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: Self.closed)
        }
    }

    // MARK: Lending

    private func acquire() async throws -> PostgresConnection {
        let started = ContinuousClock.now
        return try await complete(try reserve(), since: started)
    }

    /// Takes an idle connection, or a place in line.
    private func reserve() throws -> Machine.Acquisition {
        do {
            return try update { state throws(Machine.Closed) in try state.machine.acquire() }
        } catch {
            throw Self.closed
        }
    }

    private func complete(_ acquisition: Machine.Acquisition, since started: ContinuousClock.Instant) async throws
        -> PostgresConnection
    {
        switch acquisition {
        case .reuse(let connection):
            return connection
        case .wait(let id):
            let (connection, poolWasFull) = try await wait(id)
            // Waiting for a connection being opened for the caller is the cost of
            // opening one; what the wait metric tells is a pool too small.
            guard poolWasFull else { return connection }
            let waited = ContinuousClock.now - started
            update { $0.totalWait += waited }
            metrics.waited(waited)
            return connection
        }
    }

    /// Runs `body` on a pool thread, whatever becomes of the calling task.
    private func onPoolThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            threadPool.submit { state in
                guard case .active = state else {
                    continuation.resume(throwing: Self.closed)
                    return
                }
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// Opens a connection in the background for whoever is first in line
    /// when it is ready; none waits on the open itself.
    private func open() {
        let configuration = self.configuration
        threadPool.submit { state in
            guard case .active = state else {
                self.carryOut(self.update { $0.work($0.machine.openFailed()) }, openError: Self.closed)
                return
            }
            do {
                let connection = try PostgresConnection(configuration: configuration)
                self.metrics.connectionOpened()
                self.carryOut(
                    self.update { state in
                        state.opened += 1
                        return state.work(state.machine.opened(connection))
                    }
                )
            } catch {
                // Those in line may still get a connection given back; if not, they get this error.
                self.logger.info("could not open a database connection", metadata: ["error": "\(error)"])
                self.carryOut(self.update { $0.work($0.machine.openFailed()) }, openError: error)
            }
        }
    }

    /// Waits in line for a connection; whether the pool was at its bound
    /// (no connection could be opened for the caller). A caller whose task
    /// is cancelled leaves the line at once.
    private func wait(_ id: Machine.WaiterID) async throws -> (PostgresConnection, poolWasFull: Bool) {
        let timeout = options.acquisitionTimeout
        var poolWasFull = false
        let connection = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let timer = timers.scheduleTask(
                    in: .nanoseconds(
                        Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds
                            / 1_000_000_000
                    )
                ) {
                    self.timeOut(id)
                }
                let joined = update { state in
                    let joined = state.machine.join(id)
                    if case .waiting = joined { state.waiters[id] = Waiter(continuation: continuation, timer: timer) }
                    return joined
                }
                switch joined {
                case .ready(let connection):
                    timer.cancel()
                    continuation.resume(returning: connection)
                case .cancelled:
                    timer.cancel()
                    continuation.resume(throwing: CancellationError())
                case .waiting(let open):
                    // A release, an open, the timer or a cancel answers.
                    if open { self.open() } else { poolWasFull = true }
                }
            }
        } onCancel: {
            let waiter = update { state in state.machine.cancel(id) ? state.waiters.removeValue(forKey: id) : nil }
            waiter?.timer?.cancel()
            waiter?.continuation.resume(throwing: CancellationError())
        }
        return (connection, poolWasFull)
    }

    private func timeOut(_ id: Machine.WaiterID) {
        let waiter = update { state in state.machine.timeOut(id) ? state.waiters.removeValue(forKey: id) : nil }
        let limit = options.maximumConnections
        waiter?.continuation.resume(
            throwing: PostgresError(
                code: .poolTimeout,
                message: "no database connection free within \(options.acquisitionTimeout) (all \(limit) in use)"
            )
        )
    }

    private func release(_ connection: PostgresConnection) {
        let healthy = connection.isHealthy
        carryOut(update { $0.work($0.machine.release(connection, healthy: healthy)) })
        guard !healthy else { return }
        logger.info("dropped a broken database connection")
        // The server may have gone (a restart, a failover): the idle
        // connections most likely died with this one. No one waits while
        // connections are idle, so nobody needs the freed slots now.
        let dropped = update { $0.machine.dropIdle(where: \.serverHasHungUp) }
        guard dropped > 0 else { return }
        logger.info("dropped idle database connections the server hung up on", metadata: ["count": "\(dropped)"])
    }

    /// Does what a step of the machine left to do; `openError` is what
    /// waiters told that no connection can be had are given.
    private func carryOut(_ work: Work, openError: (any Error)? = nil) {
        for (waiter, connection) in work.handovers {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: connection)
        }
        for waiter in work.failed {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: openError ?? Self.closed)
        }
        for _ in 0..<work.opens { open() }
    }
}

/// Transaction isolation levels.
public enum IsolationLevel: Sendable {
    case readCommitted, repeatableRead, serializable

    var sql: String {
        switch self {
        case .readCommitted: "READ COMMITTED"
        case .repeatableRead: "REPEATABLE READ"
        case .serializable: "SERIALIZABLE"
        }
    }
}
