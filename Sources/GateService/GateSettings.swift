package import GatePolicy
import MLOpsServiceConfiguration
package import MLOpsTLSTransport

/// The gate's own part of its configuration file.
package struct GateSettings: Decodable, Sendable {
    package struct Peer: Decodable, Sendable {
        /// host:port, or several, comma-separated: replicas the calls spread over.
        package var address: String
        /// The name its certificate carries; the host when absent.
        package var serverName: String?

        package init(address: String, serverName: String? = nil) {
            self.address = address
            self.serverName = serverName
        }

        package func targets() throws -> [RPCClientConfiguration.Target] {
            guard let targets = RPCClientConfiguration.Target.list(address) else {
                throw SettingsError("'\(address)' is not host:port, or several comma-separated")
            }
            return targets
        }
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

    var registryPeer: Peer { registry ?? Peer(address: "127.0.0.1:7001") }

    var monitoringPeer: Peer {
        monitoring.map { Peer(address: $0.address, serverName: $0.serverName) } ?? Peer(address: "127.0.0.1:7002")
    }

    /// Addresses given on the command line: each names its own host, so a
    /// server name from the file no longer applies.
    package mutating func override(registryAddress: String?, monitoringAddress: String?) {
        if let registryAddress { registry = Peer(address: registryAddress) }
        if let monitoringAddress {
            monitoring = Monitoring(address: monitoringAddress, lookbackHours: monitoring?.lookbackHours)
        }
    }
}
