import Logging
import MLOpsRPC
import MLOpsTLS
import NIOConcurrencyHelpers
import NIOCore

/// The servers a client's targets stand for, and which one takes the next
/// call: the less loaded of two picked at random among those ready, so load
/// spreads evenly without every client piling onto the same "least loaded"
/// one. Targets are resolved again periodically and after a connection
/// fails; an address that disappears is drained, a new one joins.
final class LoadBalancer: Sendable {
    private let configuration: RPCClientConfiguration
    private let contexts: [RPCClientConfiguration.Target: TLSContext]
    private let eventLoop: any EventLoop
    private let state = NIOLockedValueBox(State())

    private struct State {
        var endpoints: [SocketAddress: Endpoint] = [:]
        var resolution: Resolution = .never
        var closed = false
        var lastLookupFailure: String?
    }

    private enum Resolution {
        case never
        case running(Task<Void, Never>)
        /// The next lookup is due at the instant (sooner after a failure).
        case done(next: ContinuousClock.Instant)
    }

    init(configuration: RPCClientConfiguration, eventLoop: any EventLoop) throws {
        self.configuration = configuration
        self.eventLoop = eventLoop
        var contexts: [RPCClientConfiguration.Target: TLSContext] = [:]
        for target in configuration.targets {
            var tls = configuration.tls
            if tls.serverName == nil { tls.serverName = target.host }
            contexts[target] = try TLSContext(configuration: tls)
        }
        self.contexts = contexts
    }

    var description: String {
        configuration.targets.map { "\($0.host):\($0.port)" }.joined(separator: ",")
    }

    /// The endpoint for the next call, leaving out `excluded` (those a call
    /// could not be sent to already). Waits for the first resolution.
    func pick(excluding excluded: Set<ObjectIdentifier> = []) async throws -> Endpoint {
        try await resolveIfDue()
        let candidates = state.withLockedValue { state in
            state.endpoints.values.filter { !excluded.contains(ObjectIdentifier($0)) }
        }
        let readiness = candidates.map(\.readiness)
        if candidates.count == 1, readiness[0] == .ready { return candidates[0] }
        // Keep a connection to every endpoint, so a call never waits for one when another is there.
        for (endpoint, readiness) in zip(candidates, readiness) where readiness == .connectable { endpoint.warmUp() }
        let ready = zip(candidates, readiness).filter { $0.1 == .ready }.map(\.0)
        if !ready.isEmpty {
            var random = SystemRandomNumberGenerator()
            return ready[LessLoadedOfTwo.pick(loads: ready.map(\.load), using: &random)]
        }
        // None ready: the one that can take a call soonest.
        guard let soonest = zip(candidates, readiness).min(by: { $0.1 < $1.1 }), soonest.1 != .closed else {
            throw RPCError(code: .unavailable, message: "\(description): no server address is left to try")
        }
        return soonest.0
    }

    /// Whether an endpoint is known besides `excluded`.
    func hasEndpoint(excluding excluded: Set<ObjectIdentifier>) -> Bool {
        state.withLockedValue { state in
            state.endpoints.values.contains { !excluded.contains(ObjectIdentifier($0)) && $0.readiness != .closed }
        }
    }

    /// Asks for a fresh lookup before the next call: a connection failed.
    func resolveSoon() {
        state.withLockedValue { state in
            if case .done = state.resolution { state.resolution = .done(next: .now) }
        }
    }

    func close() async {
        let endpoints = state.withLockedValue { state in
            state.closed = true
            if case .running(let task) = state.resolution { task.cancel() }
            return Array(state.endpoints.values)
        }
        for endpoint in endpoints { await endpoint.close() }
    }

    // MARK: Resolution

    private func resolveIfDue() async throws {
        // The lookup to wait for: only the first holds calls up; later ones run beside them.
        let pending: Task<Void, Never>? = try state.withLockedValue { state in
            if state.closed {
                throw RPCError(code: .unavailable, message: "\(description): the client is closed")
            }
            switch state.resolution {
            case .running(let task):
                return state.endpoints.isEmpty ? task : nil
            case .done(let due) where due > .now:
                return nil
            case .never, .done:
                let task = Task { await self.resolve() }
                state.resolution = .running(task)
                return state.endpoints.isEmpty ? task : nil
            }
        }
        await pending?.value
        if state.withLockedValue({ $0.endpoints.isEmpty }) {
            let reason = state.withLockedValue { $0.lastLookupFailure } ?? "no address found"
            throw RPCError(code: .unavailable, message: "\(description): \(reason)")
        }
    }

    private func resolve() async {
        var found: [SocketAddress: (RPCClientConfiguration.Target, SocketAddress)] = [:]
        var failure: String?
        for target in configuration.targets {
            do {
                for address in try await TargetResolver.resolve(target) { found[address] = (target, address) }
            } catch {
                failure = "\(error)"
            }
        }
        let failed = failure != nil
        let retired = state.withLockedValue { state -> [Endpoint] in
            // A failed lookup keeps what was known: a DNS hiccup must not drop servers that answer.
            let next: ContinuousClock.Instant =
                .now + (failed ? configuration.reconnectBackoff.maximum : configuration.resolveInterval)
            state.resolution = .done(next: next)
            state.lastLookupFailure = failure
            guard !state.closed, !found.isEmpty || !failed else { return [] }
            var retired: [Endpoint] = []
            for (address, endpoint) in state.endpoints where found[address] == nil && !failed {
                retired.append(endpoint)
                state.endpoints[address] = nil
            }
            for (address, (target, _)) in found where state.endpoints[address] == nil {
                state.endpoints[address] = Endpoint(
                    name: "\(target.host):\(target.port)"
                        + (address.ipAddress.map { $0 == target.host ? "" : " (\($0))" } ?? ""),
                    address: address,
                    configuration: configuration,
                    tls: contexts[target]!,
                    eventLoop: eventLoop
                )
            }
            return retired
        }
        for endpoint in retired { endpoint.drain() }
    }
}

/// Power of two choices: of two distinct indices drawn at random, the one
/// with the smaller load.
enum LessLoadedOfTwo {
    static func pick(loads: [Int], using random: inout some RandomNumberGenerator) -> Int {
        guard loads.count > 1 else { return 0 }
        let first = Int.random(in: 0..<loads.count, using: &random)
        var second = Int.random(in: 0..<(loads.count - 1), using: &random)
        if second >= first { second += 1 }
        return loads[second] < loads[first] ? second : first
    }
}
