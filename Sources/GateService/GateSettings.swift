package import GatePolicy

/// The gate's own part of its configuration file.
package struct GateSettings: Decodable, Sendable {
    package struct Peer: Decodable, Sendable {
        /// host:port.
        package var address: String
        /// The name its certificate carries; the host when absent.
        package var serverName: String?
    }

    package struct Monitoring: Decodable, Sendable {
        package var address: String
        package var serverName: String?
        /// The window the data context covers.
        package var lookbackHours: Int32?
    }

    package struct Promotions: Decodable, Sendable {
        /// How often pending promotions are retried.
        package var retryEverySeconds: Double?
        /// How long a promotion being applied stays claimed.
        package var claimSeconds: Double?
    }

    package struct Access: Decodable, Sendable {
        /// Who may ask for a logged evaluation, which may promote; `*` for
        /// any authenticated identity. Everyone may dry-run.
        package var loggedEvaluators: Set<String>?
    }

    /// The gates' thresholds; `GateThresholds()` for what is absent.
    package var policy: GateThresholds?
    package var access: Access?
    package var registry: Peer?
    package var monitoring: Monitoring?
    package var promotions: Promotions?

    package init() {}
}
