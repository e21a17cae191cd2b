import Foundation
import MLOpsRPC
public import MLOpsTLS

/// Where a client connects and how. Read once.
public struct RPCClientConfiguration: Sendable {
    /// A server, or a name standing for several (every address it resolves to is one).
    public struct Target: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `host:port`, `[v6]:port`; nil when malformed.
        public init?(_ text: some StringProtocol) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (1...65535).contains(port)
            else { return nil }
            var host = text[..<colon]
            if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
            guard !host.isEmpty else { return nil }
            self.init(host: String(host), port: port)
        }

        /// Comma-separated targets (`a:7001,b:7001`); nil when one is malformed or none is given.
        public static func list(_ text: String) -> [Target]? {
            let targets = text.split(separator: ",").map { Target($0.trimmingCharacters(in: .whitespaces)) }
            guard !targets.isEmpty, !targets.contains(where: { $0 == nil }) else { return nil }
            return targets.compactMap { $0 }
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// Calls spread over every address of every target.
    public var targets: [Target]
    /// Must be a client configuration. Its `serverName` is what the servers'
    /// certificates must carry; nil means each target's host.
    public var tls: TLSConfiguration
    /// The largest response frame accepted.
    public var maximumFrameSize = 4 * 1024 * 1024
    public var connectTimeout: Duration = .seconds(5)
    /// Waits between reconnection attempts to one address.
    public var reconnectBackoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
    /// How often targets are looked up again (and after a connection fails).
    public var resolveInterval: Duration = .seconds(30)

    /// Waits that double from `initial` after each failure, up to `maximum`.
    public struct Backoff: Sendable {
        public var initial: Duration
        public var maximum: Duration

        public init(initial: Duration, maximum: Duration) {
            self.initial = initial
            self.maximum = maximum
        }
    }

    public init(targets: [Target], tls: TLSConfiguration) {
        precondition(!targets.isEmpty, "a client needs at least one target")
        self.targets = targets
        self.tls = tls
    }

    public init(host: String, port: Int, tls: TLSConfiguration) {
        self.init(targets: [Target(host: host, port: port)], tls: tls)
    }
}
