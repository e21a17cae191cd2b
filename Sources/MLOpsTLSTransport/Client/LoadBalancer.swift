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
    /// The one endpoint of a client given one address (not a name): there
    /// is nothing to look up or choose, so calls go straight to it.
    private let fixed: Endpoint?

    private struct State {
        var endpoints: [SocketAddress: Endpoint] = [:] {
            didSet { list = Array(endpoints.values) }
        }
        /// `endpoints`' values, kept so a pick takes them without copying.
        var list: [Endpoint] = []
        var resolution: Resolution = .never
        var closed = false
        var lastLookupFailure: String?
    }

    private enum Resolution {
        case never
        case running(Task<Void, Never>)
        /// `due` turns true when the next lookup is: a timer sets it, so a
        /// pick reads no clock (a system call on some machines).
        case done(due: Bool, timer: Scheduled<Void>?)
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
        if configuration.targets.count == 1, let target = configuration.targets.first,
            let address = try? SocketAddress(ipAddress: target.host, port: target.port)
        {
            fixed = Endpoint(
                name: target.description,
                address: address,
                configuration: configuration,
                tls: contexts[target]!,
                eventLoop: eventLoop
            )
        } else {
            fixed = nil
        }
    }

    var description: String {
        configuration.targets.map(\.description).joined(separator: ",")
    }

    /// The endpoint for the next call, leaving out `excluded` (those a call
    /// could not be sent to already); nil until the first lookup is done
    /// (`firstLookup()`). Synchronous on purpose: an async call here cost a
    /// microsecond per call (benchmarks/compare-rpc.sh).
    func pick(excluding excluded: Set<ObjectIdentifier> = []) throws -> Endpoint? {
        if let fixed {
            guard excluded.isEmpty else {
                throw RPCError(code: .unavailable, message: "\(fixed.name): no other server address to try")
            }
            return fixed
        }
        guard let known = try knownEndpoints() else { return nil }
        // One server: its connection does the rest (waits, reconnects, backs off).
        if known.count == 1, excluded.isEmpty { return known[0] }
        let candidates = excluded.isEmpty ? known : known.filter { !excluded.contains(ObjectIdentifier($0)) }
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

    /// `pick()`, waiting for the first lookup when it has not finished: for
    /// paths where an async call costs nothing that matters (a stream's start).
    func pickWaitingForFirstLookup() async throws -> Endpoint {
        if let endpoint = try pick() { return endpoint }
        await firstLookup()
        guard let endpoint = try pick() else {
            throw RPCError(code: .unavailable, message: "\(description): no server address found")
        }
        return endpoint
    }

    /// Whether an endpoint is known besides `excluded`.
    func hasEndpoint(excluding excluded: Set<ObjectIdentifier>) -> Bool {
        if let fixed { return !excluded.contains(ObjectIdentifier(fixed)) }
        return state.withLockedValue { state in
            state.list.contains { !excluded.contains(ObjectIdentifier($0)) && $0.readiness != .closed }
        }
    }

    /// Asks for a fresh lookup before the next call: a connection failed, or the interval passed.
    func resolveSoon() {
        state.withLockedValue { state in
            if case .done(_, let timer) = state.resolution {
                timer?.cancel()
                state.resolution = .done(due: true, timer: nil)
            }
        }
    }

    func close() async {
        let endpoints = state.withLockedValue { state in
            state.closed = true
            switch state.resolution {
            case .running(let task): task.cancel()
            case .done(_, let timer): timer?.cancel()
            case .never: break
            }
            return state.list
        }
        for endpoint in endpoints { await endpoint.close() }
        await fixed?.close()
    }

    // MARK: Resolution

    /// The endpoints known, starting a lookup when one is due; nil while
    /// none is known and the first lookup runs.
    private func knownEndpoints() throws -> [Endpoint]? {
        try state.withLockedValue { state in
            if state.closed {
                throw RPCError(code: .unavailable, message: "\(description): the client is closed")
            }
            switch state.resolution {
            case .running:
                break
            case .done(due: false, _):
                break
            case .never, .done:
                state.resolution = .running(Task { await self.resolve() })
            }
            if case .running = state.resolution, state.list.isEmpty { return nil }
            guard !state.list.isEmpty else {
                throw RPCError(
                    code: .unavailable,
                    message: "\(description): \(state.lastLookupFailure ?? "no address found")"
                )
            }
            return state.list
        }
    }

    /// Waits for the lookup that runs while no endpoint is known yet.
    func firstLookup() async {
        let pending = state.withLockedValue { state -> Task<Void, Never>? in
            guard case .running(let task) = state.resolution, state.list.isEmpty else { return nil }
            return task
        }
        await pending?.value
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
            let wait = failed ? configuration.reconnectBackoff.maximum : configuration.resolveInterval
            let timer = eventLoop.scheduleTask(in: TimeAmount(wait)) { [weak self] () -> Void in self?.resolveSoon() }
            state.resolution = .done(due: false, timer: timer)
            state.lastLookupFailure = failure
            guard !state.closed, !found.isEmpty || !failed else { return [] }
            var retired: [Endpoint] = []
            for (address, endpoint) in state.endpoints where found[address] == nil && !failed {
                retired.append(endpoint)
                state.endpoints[address] = nil
            }
            for (address, (target, _)) in found where state.endpoints[address] == nil {
                state.endpoints[address] = Endpoint(
                    name: target.description
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
