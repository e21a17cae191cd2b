import Foundation

/// How to reach PostgreSQL, from a URL or from the seed's variables
/// (`POSTGRES_HOST`, `POSTGRES_PORT`, `POSTGRES_USER`, `POSTGRES_PASSWORD`,
/// `MLOPS_DB_NAME`). Its `description` never shows the password.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// A host name, an IP address, or a folder holding the unix socket.
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// libpq's `sslmode`: disable, allow, prefer, require, verify-ca, verify-full.
    public var sslMode: String
    /// libpq counts it in whole seconds, rounded up.
    public var connectTimeout: Duration
    /// Shown in `pg_stat_activity`: which service holds the connection.
    public var applicationName: String

    public init(
        host: String = "localhost",
        port: Int = 5432,
        user: String = "postgres",
        password: String? = nil,
        database: String = "mlops",
        sslMode: String = "prefer",
        connectTimeout: Duration = .seconds(5),
        applicationName: String = "mlops"
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
    }

    /// Reads the seed's variables; absent ones keep their defaults.
    public init(environment: [String: String], applicationName: String) {
        self.init(applicationName: applicationName)
        if let host = environment["POSTGRES_HOST"] { self.host = host }
        if let port = environment["POSTGRES_PORT"].flatMap(Int.init) { self.port = port }
        if let user = environment["POSTGRES_USER"] { self.user = user }
        if let password = environment["POSTGRES_PASSWORD"] { self.password = password }
        if let database = environment["MLOPS_DB_NAME"] { self.database = database }
        if let mode = environment["POSTGRES_SSLMODE"] { self.sslMode = mode }
    }

    /// Reads `postgres://user:password@host:port/database?sslmode=…`.
    /// - Throws: `PostgresError` with code `.invalidConfiguration` naming what is wrong.
    public init(url: String, applicationName: String) throws(PostgresError) {
        self.init(applicationName: applicationName)
        guard let schemeEnd = url.range(of: "://"),
            ["postgres", "postgresql"].contains(url[..<schemeEnd.lowerBound])
        else {
            throw PostgresError(code: .invalidConfiguration, message: "not a postgres:// URL: \(Self.redact(url))")
        }
        var rest = Substring(url[schemeEnd.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let slash = rest.firstIndex(of: "/") {
            let name = rest[rest.index(after: slash)...]
            if !name.isEmpty { database = Self.percentDecoded(name) }
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = Self.percentDecoded(credentials[..<colon])
                password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
            } else if !credentials.isEmpty {
                user = Self.percentDecoded(credentials)
            }
        }
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let port = Int(rest[rest.index(after: colon)...]) else {
                throw PostgresError(code: .invalidConfiguration, message: "bad port in \(Self.redact(url))")
            }
            self.port = port
            rest = rest[..<colon]
        }
        if !rest.isEmpty { host = Self.percentDecoded(rest).trimmingBrackets }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "sslmode": sslMode = parts[1]
            case "connect_timeout": connectTimeout = Int(parts[1]).map { .seconds($0) } ?? connectTimeout
            case "application_name": self.applicationName = parts[1]
            case "host": host = Self.percentDecoded(Substring(parts[1]))
            default: break
            }
        }
    }

    /// libpq's keyword=value form, each value quoted as libpq reads it.
    var connectionString: String {
        var pairs = [
            ("host", host), ("port", String(port)), ("user", user), ("dbname", database),
            ("sslmode", sslMode), ("connect_timeout", String(connectTimeoutSeconds)),
            ("application_name", applicationName),
            // Timestamps come back in UTC, whatever the server's default; and
            // NOTICEs ("already exists, skipping") are for people at psql, not
            // for a service's standard error.
            ("options", "-c TimeZone=UTC -c client_min_messages=warning"),
        ]
        if let password { pairs.append(("password", password)) }
        return pairs.map { "\($0.0)='\(Self.quoted($0.1))'" }.joined(separator: " ")
    }

    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?sslmode=\(sslMode)"
    }

    private static func quoted(_ value: String) -> String {
        value.replacingAll("\\", with: "\\\\").replacingAll("'", with: "\\'")
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), let end = utf8.index(index, offsetBy: 3, limitedBy: utf8.endIndex),
                let value = UInt8(String(decoding: utf8[utf8.index(after: index)..<end], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index = end
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The URL with any password replaced, for error messages.
    static func redact(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].lastIndex(of: "@") else {
            return url
        }
        let credentials = url[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }

    fileprivate var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}

extension PostgresConfiguration {
    var connectTimeoutSeconds: Int64 {
        let (seconds, attoseconds) = connectTimeout.components
        return seconds + (attoseconds > 0 ? 1 : 0)
    }
}
