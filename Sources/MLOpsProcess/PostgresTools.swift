import Foundation

extension ChildProcess {
    /// Runs `executable` to completion and returns what it printed; a
    /// non-zero exit is `CommandFailed` with that output.
    @discardableResult
    package static func output(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:]
    ) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-tool-\(UUID()).log")
        defer { try? FileManager.default.removeItem(at: file) }
        let status = try run(executable, arguments, outputPath: file.path, environment: environment)
        // Read through a file handle: String(contentsOf:) leaks its buffer for an empty file
        // (FoundationEssentials, seen under LeakSanitizer), and most tools print nothing.
        let handle = FileHandle(forReadingAtPath: file.path)
        let text = String(decoding: (try? handle?.readToEnd()) ?? Data(), as: UTF8.self)
        try? handle?.close()
        guard status == 0 else {
            throw CommandFailed(command: ([executable] + arguments).joined(separator: " "), output: text)
        }
        return text
    }
}

/// PostgreSQL 15's server tools (`initdb`, `pg_ctl`), run as the `postgres`
/// user when we are root, as the server refuses to run as root.
package enum PostgresTools {
    package static let binaries = "/usr/lib/postgresql/15/bin"

    package static var runsAsRoot: Bool { getuid() == 0 }

    /// Runs `tool`; with a `launcher` (such as `ip netns exec NAME`), through it.
    @discardableResult
    package static func run(_ tool: String, _ arguments: [String], launcher: [String] = []) throws -> String {
        let command =
            (runsAsRoot ? ["/sbin/runuser", "-u", "postgres", "--"] : []) + ["\(binaries)/\(tool)"] + arguments
        let launched = launcher + command
        return try ChildProcess.output(launched[0], Array(launched.dropFirst()))
    }

    /// Hands `path` to the `postgres` user when we are root, so the server can write there.
    package static func giveToPostgres(_ path: String) throws {
        if runsAsRoot { try ChildProcess.output("/bin/chown", ["-R", "postgres:postgres", path]) }
    }
}
