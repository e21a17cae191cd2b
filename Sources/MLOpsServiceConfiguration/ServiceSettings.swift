package import Foundation

/// What every service reads from its configuration file
/// (`services/<name>/config.json`); flags and environment override it.
package struct ServiceSettings: Codable, Sendable, Equatable {
    package struct Listen: Codable, Sendable, Equatable {
        package var host = "0.0.0.0"
        package var port = 0
        /// Connections held at once; when full, the one idle longest makes way.
        package var maxConnections = 1024
        /// Connections in their TLS handshake at once; the oldest makes way.
        package var maxHandshakes = 128
        /// Handshakes in progress from one address.
        package var maxHandshakesPerAddress = 16
    }

    package struct TLS: Codable, Sendable, Equatable {
        package var certificate = ""
        package var key = ""
        /// The CA bundle client certificates are checked against.
        package var ca = ""
        package var requireClientCertificate = true
    }

    package struct Database: Codable, Sendable, Equatable {
        /// `postgres://…`; when absent, the seed's variables (`POSTGRES_HOST`, …).
        package var url: String?
        package var maxConnections = 10
        package var acquisitionTimeoutSeconds = 5.0
    }

    package struct Metrics: Codable, Sendable, Equatable {
        package var host = "0.0.0.0"
        /// Prometheus text on plain HTTP at `/metrics`; 0 turns it off.
        package var port = 0
    }

    package var listen = Listen()
    package var tls = TLS()
    package var database = Database()
    package var metrics = Metrics()
    package var logLevel = "info"
    /// How long a shutdown (SIGTERM) waits for calls in flight before
    /// cancelling them; a call that ignores even that ends the process 5 s
    /// later. Below Kubernetes' default 30 s grace period.
    package var shutdownGraceSeconds = 25.0

    package init() {}

    /// Reads a file; keys it leaves out keep their defaults.
    package static func load<Settings: Decodable>(_: Settings.Type, from path: String) throws -> Settings {
        try decode(Settings.self, from: try contents(of: path), source: "the configuration file \(path)")
    }

    /// A configuration file's bytes.
    package static func contents(of path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SettingsError("cannot read the configuration file \(path): \(error.localizedDescription)")
        }
    }

    /// Settings from JSON text; `source` names it in the error.
    package static func decode<Settings: Decodable>(
        _: Settings.Type,
        from data: Data,
        source: String = "the configuration"
    ) throws -> Settings {
        do {
            return try JSONDecoder().decode(Settings.self, from: data)
        } catch {
            throw SettingsError("\(source) is not valid: \(error)")
        }
    }
}

/// A configuration that cannot work, said plainly.
package struct SettingsError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}

// Decoding that keeps defaults for missing keys: JSONDecoder's synthesized
// init requires every key, so each level reads what is there.
extension ServiceSettings {
    private enum CodingKeys: String, CodingKey {
        case listen, tls, database, metrics, logLevel, shutdownGraceSeconds
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        listen = try container.decodeIfPresent(Listen.self, forKey: .listen) ?? Listen()
        tls = try container.decodeIfPresent(TLS.self, forKey: .tls) ?? TLS()
        database = try container.decodeIfPresent(Database.self, forKey: .database) ?? Database()
        metrics = try container.decodeIfPresent(Metrics.self, forKey: .metrics) ?? Metrics()
        logLevel = try container.decodeIfPresent(String.self, forKey: .logLevel) ?? "info"
        shutdownGraceSeconds = try container.decodeIfPresent(Double.self, forKey: .shutdownGraceSeconds) ?? 25
    }
}

extension ServiceSettings.Listen {
    private enum CodingKeys: String, CodingKey {
        case host, port, maxConnections, maxHandshakes, maxHandshakesPerAddress
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Self()
        host = try container.decodeIfPresent(String.self, forKey: .host) ?? defaults.host
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? defaults.port
        maxConnections = try container.decodeIfPresent(Int.self, forKey: .maxConnections) ?? defaults.maxConnections
        maxHandshakes = try container.decodeIfPresent(Int.self, forKey: .maxHandshakes) ?? defaults.maxHandshakes
        maxHandshakesPerAddress =
            try container.decodeIfPresent(Int.self, forKey: .maxHandshakesPerAddress)
            ?? defaults.maxHandshakesPerAddress
    }
}

extension ServiceSettings.TLS {
    private enum CodingKeys: String, CodingKey { case certificate, key, ca, requireClientCertificate }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        certificate = try container.decodeIfPresent(String.self, forKey: .certificate) ?? ""
        key = try container.decodeIfPresent(String.self, forKey: .key) ?? ""
        ca = try container.decodeIfPresent(String.self, forKey: .ca) ?? ""
        requireClientCertificate = try container.decodeIfPresent(Bool.self, forKey: .requireClientCertificate) ?? true
    }
}

extension ServiceSettings.Database {
    private enum CodingKeys: String, CodingKey { case url, maxConnections, acquisitionTimeoutSeconds }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decodeIfPresent(String.self, forKey: .url)
        maxConnections = try container.decodeIfPresent(Int.self, forKey: .maxConnections) ?? 10
        acquisitionTimeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .acquisitionTimeoutSeconds) ?? 5
    }
}

extension ServiceSettings.Metrics {
    private enum CodingKeys: String, CodingKey { case host, port }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        host = try container.decodeIfPresent(String.self, forKey: .host) ?? "0.0.0.0"
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? 0
    }
}
