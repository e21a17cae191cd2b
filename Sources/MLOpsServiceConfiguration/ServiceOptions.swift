package import ArgumentParser

/// The flags every service takes; each overrides its configuration file's
/// value, and the environment's (`MLOPS_DATABASE_URL`, the seed's `POSTGRES_*`).
package struct ServiceOptions: ParsableArguments, Sendable {
    @Option(help: "The JSON configuration file (services/<name>/config.json).")
    package var config: String?

    @Option(help: "Address to listen on for RPC over TLS.")
    package var host: String?

    @Option(help: "Port to listen on for RPC over TLS (0 picks a free one).")
    package var port: Int?

    @Option(help: "This service's certificate chain (PEM).")
    package var tlsCertificate: String?

    @Option(help: "This service's private key (PEM).")
    package var tlsKey: String?

    @Option(help: "The CA bundle that client certificates must chain to (PEM).")
    package var tlsCA: String?

    @Flag(help: "Accept clients without a certificate (they can only read where policies allow anyone).")
    package var allowAnonymousClients = false

    @Option(help: "postgres://user:password@host:port/database (else MLOPS_DATABASE_URL, else POSTGRES_* variables).")
    package var databaseURL: String?

    @Option(help: "Address for Prometheus metrics over plain HTTP; keep it internal.")
    package var metricsHost: String?

    @Option(help: "Port for Prometheus metrics over plain HTTP (0 turns them off).")
    package var metricsPort: Int?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    package var logLevel: String?

    @Flag(help: "Apply the database migrations and exit.")
    package var migrateOnly = false

    @Flag(
        help: """
            Ask the running service this configuration describes for its health, over its RPC port with \
            its own certificate, and exit 0 only if it is SERVING (for container health checks and probes).
            """
    )
    package var healthCheck = false

    @Flag(
        help: """
            With --health-check: pass whenever the service answers, NOT_SERVING included (a liveness probe: \
            a database outage must not restart every replica).
            """
    )
    package var alive = false

    package init() {}

    /// The file's settings with these flags and `environment` laid over them.
    package func apply(to settings: inout ServiceSettings, environment: [String: String]) {
        if let host { settings.listen.host = host }
        if let port { settings.listen.port = port }
        if let tlsCertificate { settings.tls.certificate = tlsCertificate }
        if let tlsKey { settings.tls.key = tlsKey }
        if let tlsCA { settings.tls.ca = tlsCA }
        if allowAnonymousClients { settings.tls.requireClientCertificate = false }
        if let url = databaseURL ?? environment["MLOPS_DATABASE_URL"] { settings.database.url = url }
        if let metricsHost { settings.metrics.host = metricsHost }
        if let metricsPort { settings.metrics.port = metricsPort }
        if let logLevel { settings.logLevel = logLevel }
    }
}
