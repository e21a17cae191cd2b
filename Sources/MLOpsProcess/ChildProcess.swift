package import Foundation

/// A command that did not succeed, with what it printed.
package struct CommandFailed: Error, CustomStringConvertible {
    package var command: String
    package var output: String
    package var description: String { "\(command) failed:\n\(output)" }

    package init(command: String, output: String) {
        self.command = command
        self.output = output
    }
}

/// Runs a program to completion with posix_spawn and waitpid. Foundation's
/// Process notices a child's exit through a descriptor the child inherits, so
/// it never sees `pg_ctl start` finish while the server it started lives on.
package enum ChildProcess {
    /// Runs `executable`, output and errors appended to `outputPath`, input
    /// from /dev/null, `environment` added to ours; returns its exit status.
    package static func run(
        _ executable: String,
        _ arguments: [String],
        outputPath: String,
        environment: [String: String] = [:]
    ) throws -> Int32 {
        let pid = try spawn(executable, arguments, outputPath: outputPath, environment: environment)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else {
                throw CommandFailed(command: executable, output: "waitpid: \(String(cString: strerror(errno)))")
            }
        }
        return exitStatus(status)
    }

    /// Starts `executable` the same way, with `environment` added to ours, and
    /// returns at once. With `newSession`, in a session of its own: it lives
    /// on when this process and its terminal are gone.
    package static func spawn(
        _ executable: String,
        _ arguments: [String],
        outputPath: String,
        environment: [String: String] = [:],
        newSession: Bool = false
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours goes with it: SwiftNIO opens sockets without
        // close-on-exec, so a child would hold a copy of every listening socket
        // and connection open here (a server's port stayed taken, a closed
        // connection stayed open, for as long as the child lived).
        _ = closeFrom?(&actions, 3)

        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no signal blocked and the usual ones at their
        // default action, whatever thread spawned it: libdispatch's and NIO's
        // threads block signals, and a child inherits the mask, so one spawned
        // from them would ignore the SIGTERM that stops it.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        // POSIX_SPAWN_SETSID (glibc's value; the Glibc module does not export it).
        if newSession { flags |= 0x80 }
        posix_spawnattr_setflags(&attributes, flags)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw CommandFailed(command: executable, output: String(cString: strerror(spawned)))
        }
        return pid
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later),
    /// which the Glibc module does not export; looked up once.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? =
        {
            guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
            return unsafeBitCast(
                symbol,
                to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self
            )
        }()

    /// A `waitpid` status as a shell shows it: the exit code, or 128 + the signal.
    /// (WIFEXITED / WEXITSTATUS are macros: the status layout is Linux's.)
    package static func exitStatus(_ status: Int32) -> Int32 {
        status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}

extension ChildProcess {
    /// Whether `pid` is a process that still runs. An exited process whose
    /// parent has not collected it (a zombie: orphans reparented to an init
    /// that never reaps) does not count.
    package static func isRunning(_ pid: Int32) -> Bool {
        guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return false }
        // After "pid (command) " comes the state letter.
        return stat[stat.index(end, offsetBy: 2)] != "Z"
    }
}
