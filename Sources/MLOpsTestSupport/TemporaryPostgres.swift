import Foundation
package import MLOpsPostgres
import MLOpsProcess

/// A throwaway PostgreSQL 15 cluster for one test run: `initdb` and `pg_ctl`
/// in a temporary folder, listening on a free port on 127.0.0.1 (or on a host
/// of a `HostNetwork`) and on a unix socket in that folder, run as the
/// `postgres` user when the tests run as root. `stop()` removes every trace; a
/// cluster whose test process died without stopping it is removed by the next
/// `start()`.
package final class TemporaryPostgres: Sendable {
    /// The folder holding the data directory, the socket and the server log.
    let folder: URL
    package let port: Int
    package let user = "postgres"
    /// The address it listens on besides the socket.
    private let address: String
    /// Runs the server tools on the host the server lives on (empty: here).
    private let launcher: [String]

    private static let folderPrefix = "mlops-pg-"

    private init(folder: URL, port: Int, address: String = "127.0.0.1", launcher: [String] = []) {
        self.folder = folder
        self.port = port
        self.address = address
        self.launcher = launcher
    }

    /// Starts a new cluster on this machine's loopback and waits until it accepts connections.
    package static func start() throws -> TemporaryPostgres {
        try start(address: "127.0.0.1", launcher: [])
    }

    /// Starts a new cluster on `host` of `network` and waits until it accepts
    /// connections. Its socket is still reachable from here: a unix socket is a file.
    package static func start(on host: String, of network: HostNetwork) throws -> TemporaryPostgres {
        try start(address: network.address(of: host), launcher: network.launcher(on: host))
    }

    private static func start(address: String, launcher: [String]) throws -> TemporaryPostgres {
        removeAbandonedClusters()
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent(folderPrefix + UUID().uuidString.prefix(8).lowercased())
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        try "\(ProcessInfo.processInfo.processIdentifier)".write(
            to: folder.appendingPathComponent("owner.pid"),
            atomically: true,
            encoding: .utf8
        )
        let port = try FreeTCPPort.find()
        let cluster = TemporaryPostgres(folder: folder, port: port, address: address, launcher: launcher)
        do {
            try PostgresTools.giveToPostgres(folder.path)
            try PostgresTools.run(
                "initdb",
                ["-D", cluster.dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
            )
            try cluster.startServer()
        } catch {
            cluster.stop()
            throw error
        }
        return cluster
    }

    /// Starts (or starts again) the server on the cluster's port and socket.
    package func startServer() throws {
        let options = [
            "-p \(port)", "-k \(folder.path)", "-c listen_addresses=\(address)",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
            "-c max_connections=200",
        ]
        try PostgresTools.run(
            "pg_ctl",
            ["-D", dataDirectory, "-l", logFile, "-o", options.joined(separator: " "), "-w", "start"],
            launcher: launcher
        )
    }

    /// Stops the server, disconnecting every client, and keeps its data.
    package func stopServer() throws {
        try PostgresTools.run("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
    }

    /// Stops the server at once and deletes the folder.
    package func stop() {
        _ = try? PostgresTools.run("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: folder)
    }

    /// The folder of the unix socket (and of everything else of the cluster).
    package var socketFolder: String { folder.path }

    /// Marks the cluster as left behind by a test process that no longer runs.
    package func pretendOwnerDied() throws {
        try "\(Int32.max)".write(to: folder.appendingPathComponent("owner.pid"), atomically: true, encoding: .utf8)
    }

    private var dataDirectory: String { folder.appendingPathComponent("data").path }
    private var logFile: String { folder.appendingPathComponent("server.log").path }

    /// Adds a line to the server's pg_hba.conf (who may connect from where,
    /// and how) and has it read again.
    package func allowClients(_ rule: String) throws {
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/pg_hba.conf"))
        defer { try? file.close() }
        try file.seekToEnd()
        try file.write(contentsOf: Data((rule + "\n").utf8))
        try PostgresConnection(configuration: configuration()).query("SELECT pg_reload_conf()")
    }

    /// Settings for `database` over the unix socket.
    package func configuration(database: String = "postgres") -> PostgresConfiguration {
        PostgresConfiguration(
            host: folder.path,
            port: port,
            user: user,
            database: database,
            sslMode: "disable",
            applicationName: "mlops-tests"
        )
    }

    /// Creates an empty database named after `name` and returns its name.
    package func createDatabase(_ name: String) throws -> String {
        let database =
            name.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }
            + "_" + UUID().uuidString.prefix(6).lowercased()
        let connection = try PostgresConnection(configuration: configuration())
        try connection.query("CREATE DATABASE \(identifier: database)")
        return database
    }

    /// Drops a database made by `createDatabase`, closing its connections.
    package func dropDatabase(_ name: String) throws {
        let connection = try PostgresConnection(configuration: configuration())
        try connection.query("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
    }

    /// Stops and deletes clusters left by test processes that no longer run.
    private static func removeAbandonedClusters() {
        let temporary = FileManager.default.temporaryDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(folderPrefix) {
            let folder = temporary.appendingPathComponent(name)
            guard let owner = try? String(contentsOf: folder.appendingPathComponent("owner.pid"), encoding: .utf8),
                let pid = Int32(owner), kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            TemporaryPostgres(folder: folder, port: 0).stop()
        }
    }
}
