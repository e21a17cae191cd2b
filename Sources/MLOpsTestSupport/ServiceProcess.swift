package import Foundation

/// One of the product's executables running as a real process for a test:
/// started from the build folder beside the test bundle, its output in a log
/// file, stopped by signal.
package final class ServiceProcess: @unchecked Sendable {
    package let pid: pid_t
    package let logPath: String
    private var exitStatus: Int32?

    /// The folder holding the product's executables: the test bundle's.
    package static var productsFolder: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = bundle.deletingLastPathComponent()
        // An .xctest bundle on Linux is a file; on macOS a folder inside the products folder.
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("model-registry").path),
            folder.pathComponents.count > 1
        {
            folder = folder.deletingLastPathComponent()
        }
        return folder.path
    }

    /// Starts `executable` (a product name such as `model-registry`).
    package init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let path = "\(Self.productsFolder)/\(executable)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CommandFailed(command: path, output: "not built: run swift build first")
        }
        logPath = NSTemporaryDirectory() + "/\(executable)-\(UUID().uuidString.prefix(8)).log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { $1 }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw CommandFailed(command: path, output: String(cString: strerror(spawned))) }
        self.pid = pid
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    package func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// The exit status once it has exited (128 + n for signal n), else nil.
    package func exitStatus(waitingUpTo timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while exitStatus == nil {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                break
            }
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return exitStatus
    }

    package var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }
}
