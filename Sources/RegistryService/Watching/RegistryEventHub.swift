import Logging
import MLOpsMessages
import MLOpsPostgres
import MLOpsRPC
import NIOConcurrencyHelpers
import NIOPosix
import ServiceLifecycle

/// Hands every committed stage and alias change, from any replica, to this
/// replica's watchers. One connection of its own LISTENs (PostgreSQL delivers
/// notifications in commit order, and only for committed transactions); the
/// hub reads what each names and broadcasts the event. If that connection
/// breaks, changes could be missed, so every watch ends with `UNAVAILABLE`
/// and clients watch again from a fresh snapshot.
final class RegistryEventHub: Service, Sendable {
    struct Subscription: Sendable {
        let id: Int
        let events: AsyncThrowingStream<ModelVersionEvent, any Error>
    }

    private struct Subscriber {
        let modelName: String
        let continuation: AsyncThrowingStream<ModelVersionEvent, any Error>.Continuation
    }

    private struct State {
        var listening = false
        var nextID = 0
        var subscribers: [Int: Subscriber] = [:]
    }

    private let store: RegistryStore
    private let configuration: PostgresConfiguration
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    /// libpq's wait blocks: it gets a thread of its own.
    private let thread = NIOThreadPool(numberOfThreads: 1)
    /// Set on shutdown or cancellation: the thread stops waiting.
    private let stopping = NIOLockedValueBox(false)

    init(store: RegistryStore, configuration: PostgresConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Starts hearing changes for `modelName` ("" for every model). Waits a
    /// little for a hub that is (re)connecting, then fails: changes might go unheard.
    func subscribe(modelName: String) async throws -> Subscription {
        let deadline = ContinuousClock.now + .seconds(5)
        while !state.withLockedValue({ $0.listening }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let (events, continuation) = AsyncThrowingStream.makeStream(of: ModelVersionEvent.self)
        let id = try state.withLockedValue { state in
            guard state.listening else {
                throw RPCError(code: .unavailable, message: "the registry is not hearing database notifications yet")
            }
            state.nextID += 1
            state.subscribers[state.nextID] = Subscriber(modelName: modelName, continuation: continuation)
            return state.nextID
        }
        // A strong capture: the hub outlives every watch, and a weak one would leave its side table behind.
        continuation.onTermination = { _ in self.unsubscribe(id) }
        return Subscription(id: id, events: events)
    }

    private func unsubscribe(_ id: Int) {
        _ = state.withLockedValue { $0.subscribers.removeValue(forKey: id) }
    }

    var watcherCount: Int { state.withLockedValue { $0.subscribers.count } }

    func run() async throws {
        thread.start()
        defer { thread.shutdownGracefully { _ in } }
        var delay = Duration.milliseconds(100)
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    try await listen()
                } catch {
                    logger.warning(
                        "lost the registry's notifications; watchers must watch again",
                        metadata: ["error": "\(error)"]
                    )
                    stopListening(
                        because: RPCError(
                            code: .unavailable,
                            message: "the registry lost its database notifications; watch again",
                            cause: error
                        )
                    )
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(5))
                }
            }
        } onGracefulShutdown: {
            // Ends the current wait within its timeout.
            self.stopping.withLockedValue { $0 = true }
        }
        stopListening(because: RPCError(code: .unavailable, message: "the registry is shutting down"))
    }

    private func listen() async throws {
        let configuration = self.configuration
        let connection = try await thread.runIfActive {
            let connection = try PostgresConnection(configuration: configuration)
            try connection.listen(RegistryStore.channel)
            return connection
        }
        state.withLockedValue { $0.listening = true }
        store.cache.setEnabled(true)
        logger.debug("listening for registry changes")
        try await withTaskCancellationHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let news = try await thread.runIfActive { try self.hear(on: connection) }
                for notification in news {
                    if let event = try await event(for: notification) { broadcast(event) }
                }
            }
        } onCancel: {
            self.stopping.withLockedValue { $0 = true }
        }
    }

    /// On the hub's thread, as long as nobody watches: waits for
    /// notifications and drops the caches they make stale, coming back to
    /// the task only with news for watchers (or to stop). Every write makes
    /// a notification; handling it here costs one thread wake, not a task's
    /// round trip through two threads.
    private func hear(on connection: PostgresConnection) throws -> [RegistryNotification] {
        while !stopping.withLockedValue({ $0 }) {
            let arrived = try connection.notifications(waitingUpTo: .milliseconds(250))
            let decoded = arrived.compactMap { RegistryNotification(payload: $0.payload) }
            // Stale answers go first, before anything else waits on the database.
            for notification in decoded { store.cache.invalidate(notification.model) }
            // Events cost a read each: only worth it when someone watches.
            if watcherCount > 0, !decoded.isEmpty { return decoded }
        }
        return []
    }

    private func event(for notification: RegistryNotification) async throws -> ModelVersionEvent? {
        switch notification {
        case .deleted(let deleted):
            return ModelVersionEvent(kind: .deleted, modelVersion: deleted.modelVersion)
        case .transition(let id, _):
            guard let (transition, version) = try await store.transitionAndVersion(id: id) else { return nil }
            return ModelVersionEvent(kind: .changed, modelVersion: version, transition: transition)
        case .changed:
            return nil
        }
    }

    private func broadcast(_ event: ModelVersionEvent) {
        let name = event.modelVersion?.name ?? ""
        let subscribers = state.withLockedValue { Array($0.subscribers.values) }
        for subscriber in subscribers where subscriber.modelName.isEmpty || subscriber.modelName == name {
            subscriber.continuation.yield(event)
        }
    }

    private func stopListening(because error: any Error) {
        store.cache.setEnabled(false)
        let subscribers = state.withLockedValue { state in
            state.listening = false
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.continuation.finish(throwing: error) }
    }
}
