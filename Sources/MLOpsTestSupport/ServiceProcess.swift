package import Foundation
import MLOpsProcess

/// One of the product's executables running as a real process for a test:
/// started from the build folder beside the test bundle as an unprivileged
/// user (`UnprivilegedUser`), its output in a log file, stopped by signal.
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

    /// Starts `executable` (a product name such as `model-registry`); with a
    /// `launcher` (`HostNetwork.launcher(on:)`), through it, as the same
    /// process. Files it needs to write must be `UnprivilegedUser.own`ed.
    package init(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        launcher: [String] = []
    ) throws {
        let path = "\(Self.productsFolder)/\(executable)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CommandFailed(command: path, output: "not built: run swift build first")
        }
        logPath = NSTemporaryDirectory() + "/\(executable)-\(UUID().uuidString.prefix(8)).log"
        let command = launcher + UnprivilegedUser.launcher + [path] + arguments
        pid = try ChildProcess.spawn(
            command[0],
            Array(command.dropFirst()),
            outputPath: logPath,
            environment: environment
        )
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

    /// False once the process has been seen to exit.
    package var isRunning: Bool { exitStatus == nil }

    /// The exit status once it has exited (128 + n for signal n), else nil.
    package func exitStatus(waitingUpTo timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while exitStatus == nil {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                exitStatus = ChildProcess.exitStatus(status)
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
