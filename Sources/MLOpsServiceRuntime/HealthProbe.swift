import MLOpsMessages
import MLOpsRPC
package import MLOpsServiceConfiguration
import MLOpsTLS
import MLOpsTLSTransport

/// `--health-check`: asks the service this configuration describes for its
/// health over its own RPC port, with mutual TLS and the service's own
/// certificate, as a container engine's health check or a Kubernetes probe
/// runs it. Only SERVING passes: a process whose RPC port is dead, or whose
/// database is down, must not look healthy because its metrics still answer
/// (a liveness probe lets NOT_SERVING pass too).
package struct HealthProbe {
    package var settings: ServiceSettings
    /// The fully qualified service whose status is asked.
    package var service: String
    package var timeout: Duration = .seconds(3)
    /// A liveness probe's question: does the service answer at all? Its
    /// database being down (NOT_SERVING) is no reason to restart it.
    package var passesWhenNotServing = false

    package init(settings: ServiceSettings, service: String) {
        self.settings = settings
        self.service = service
    }

    /// Where the service listens, as seen from inside its own host: a wildcard means loopback.
    var address: (host: String, port: Int) {
        let host = settings.listen.host
        return (["", "0.0.0.0", "::", "[::]"].contains(host) ? "127.0.0.1" : host, settings.listen.port)
    }

    /// Returns what the service answered when it is SERVING; throws saying why not otherwise.
    package func run() async throws -> String {
        let tls = settings.tls
        guard settings.listen.port > 0 else {
            throw SettingsError("a health check needs the service's fixed listen.port (or --port)")
        }
        guard !tls.certificate.isEmpty, !tls.key.isEmpty, !tls.ca.isEmpty else {
            throw SettingsError("a health check needs tls.certificate, tls.key and tls.ca, as the service has")
        }
        // The service's own certificate names it; the loopback address it is reached on may not be among the names.
        let certificate = try Certificate(pemFile: tls.certificate)
        let serverName = certificate.subjectAlternativeNames.first ?? certificate.subjectCommonName
        let (host, port) = address
        let client = try RPCClient(
            configuration: RPCClientConfiguration(
                host: host,
                port: port,
                tls: .client(
                    serverName: serverName,
                    trustRootsPath: tls.ca,
                    certificateChainPath: tls.certificate,
                    privateKeyPath: tls.key
                )
            )
        )
        let answer: HealthCheckResponse
        do {
            answer = try await client.unary(
                HealthMethods.check,
                HealthCheckRequest(service: service),
                options: CallOptions(timeout: timeout)
            )
        } catch {
            await client.close()
            throw HealthProbeFailure("no health answer from \(service) at \(host):\(port): \(error)")
        }
        await client.close()
        let reason = answer.reason.isEmpty ? "" : ": \(answer.reason)"
        let said = "\(service) at \(host):\(port) is \(Self.name(of: answer.status))\(reason)"
        guard answer.status == .serving || (passesWhenNotServing && answer.status == .notServing) else {
            throw HealthProbeFailure(said)
        }
        return said
    }

    /// The status as the proto spells it.
    private static func name(of status: ServingStatus) -> String {
        switch status {
        case .unspecified: "UNSPECIFIED"
        case .serving: "SERVING"
        case .notServing: "NOT_SERVING"
        case .unknown: "UNKNOWN"
        case .unrecognized(let value): "status \(value)"
        }
    }
}

/// A health check that did not find the service SERVING; the executable exits 1 with it.
package struct HealthProbeFailure: Error, CustomStringConvertible {
    package var description: String

    init(_ description: String) {
        self.description = description
    }
}
