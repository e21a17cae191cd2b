import ArgumentParser
import Foundation
import MLOpsMessages
import MLOpsProcess

/// `mlopsctl dev …`: the whole system on this machine, for trying it and for development.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run the whole system locally: PostgreSQL, a development CA and the three services.",
        discussion: """
            Everything lives in one folder (default .mlops-dev): the PostgreSQL cluster (kept between runs),
            certificates, logs (logs/<service>.log) and state.json. Each service uses its own database role,
            which owns its tables and can touch no other service's.
            Examples:
              mlopsctl dev up            # start what is not running, wait until all serve
              source .mlops-dev/env      # point mlopsctl at it
              mlopsctl dev status
              mlopsctl dev down          # stop the services and PostgreSQL, keep the data
            """,
        subcommands: [Up.self, Status.self, Down.self]
    )

    struct Location: ParsableArguments {
        @Option(help: "The folder holding the stack.") var folder = ".mlops-dev"
        @Option(help: "Ports: services base, base+1, base+2; metrics base+2100…; PostgreSQL base+18439.")
        var basePort = 7001
    }
}

extension DevCommand {
    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the stack (what is not running yet).",
            discussion:
                "Examples:\n  mlopsctl dev up\n  mlopsctl dev up --reset\n  mlopsctl dev up --database-url postgres://me@localhost/mlops"
        )
        @OptionGroup var location: Location
        @Option(help: "The repository, for services/<name>/config.json.") var repository = "."
        @Option(
            help: """
                An existing PostgreSQL (postgres://user@host/db) instead of the folder's cluster; the services \
                then share its user. The seed's variables (POSTGRES_HOST, …) work too, with --use-environment-database.
                """
        )
        var databaseURL: String?
        @Flag(help: "Use the seed's POSTGRES_* variables for an existing server.") var useEnvironmentDatabase = false
        @Flag(help: "Stop everything and delete the folder (its database too) before starting.") var reset = false

        func run() async throws {
            if reset { try await Down.stop(location, deleting: true) }
            var stack = try DevStack(folder: location.folder, basePort: location.basePort)
            try FileManager.default.createDirectory(at: stack.folder, withIntermediateDirectories: true)
            if let databaseURL {
                stack.state.externalDatabase = .url(databaseURL)
                note(
                    "PostgreSQL at \(databaseURL.replacingOccurrences(of: #":[^:@/]*@"#, with: ":***@", options: .regularExpression))"
                )
            } else if useEnvironmentDatabase {
                stack.state.externalDatabase = .environment
                note("PostgreSQL from POSTGRES_HOST and the seed's other variables")
            } else {
                stack.state.externalDatabase = nil
                note("PostgreSQL in \(stack.socketFolder) (port \(stack.state.postgresPort))")
                try stack.startPostgres()
            }
            note("certificates in \(stack.certificates.path)")
            try stack.issueCertificates()
            let executables = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
                .deletingLastPathComponent().path
            let started = try stack.startServices(repository: repository, executables: executables)
            note(started.isEmpty ? "services already running" : "started \(started.joined(separator: ", "))")
            note("waiting until every service serves", terminator: "")
            let deadline = ContinuousClock.now + .seconds(90)
            for service in DevStack.services {
                while await stack.endpoints.health(service) != .serving {
                    guard ContinuousClock.now < deadline else {
                        note("")
                        throw CommandFailure(
                            "\(service.name) is not serving after 90 s; see \(stack.logs.path)/\(service.name).log"
                        )
                    }
                    note(".", terminator: "")
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
            note("")
            let environment = stack.folder.appendingPathComponent("env")
            try (stack.environmentLines.joined(separator: "\n") + "\n").write(
                to: environment,
                atomically: true,
                encoding: .utf8
            )
            var table = Table("SERVICE", "ADDRESS", "METRICS", "PID", "LOG")
            for service in DevStack.services {
                table.add(
                    service.name,
                    "127.0.0.1:\(stack.state.port(service))",
                    "http://127.0.0.1:\(stack.state.metricsPort(service))/metrics",
                    String(stack.state.pids[service.name] ?? 0),
                    "\(stack.logs.path)/\(service.name).log"
                )
            }
            print(table.render())
            print("\nCall it: source \(environment.path)   (identity admin; certificates for trainer and serving too)")
            print("Stop it: mlopsctl dev down --folder \(location.folder)")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What runs, and whether it serves.",
            discussion: "Example: mlopsctl dev status && echo \"all three serve\""
        )
        @OptionGroup var location: Location

        func run() async throws {
            let stack = try DevStack(folder: location.folder, basePort: location.basePort)
            var table = Table("SERVICE", "ADDRESS", "PID", "PROCESS", "HEALTH")
            var allServing = true
            for service in DevStack.services {
                let pid = stack.state.pids[service.name] ?? 0
                let alive = ChildProcess.isRunning(pid)
                let health = alive ? await stack.endpoints.health(service) : nil
                allServing = allServing && health == .serving
                table.add(
                    service.name,
                    "127.0.0.1:\(stack.state.port(service))",
                    String(pid),
                    alive ? "running" : "stopped",
                    health.map { "\($0)" } ?? "-"
                )
            }
            print(table.render())
            if !allServing { throw ExitCode(1) }
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop the services (SIGTERM, by process id) and the folder's PostgreSQL; the data stays.",
            discussion: "Examples:\n  mlopsctl dev down\n  mlopsctl dev down --reset"
        )
        @OptionGroup var location: Location
        @Flag(help: "Also delete the folder: the database, certificates and logs.") var reset = false

        func run() async throws {
            try await Self.stop(location, deleting: reset)
        }

        static func stop(_ location: Location, deleting: Bool) async throws {
            var stack = try DevStack(folder: location.folder, basePort: location.basePort)
            for service in DevStack.services.reversed() {
                guard let pid = stack.state.pids[service.name], ChildProcess.isRunning(pid) else { continue }
                kill(pid, SIGTERM)
                let deadline = ContinuousClock.now + .seconds(20)
                while ChildProcess.isRunning(pid), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                if ChildProcess.isRunning(pid) { kill(pid, SIGKILL) }
                note("stopped \(service.name) (pid \(pid))")
            }
            stack.state.pids = [:]
            if FileManager.default.fileExists(atPath: stack.dataDirectory + "/PG_VERSION") {
                try? stack.stopPostgres()
                note("stopped PostgreSQL" + (deleting ? "" : "; its data stays in \(stack.dataDirectory)"))
            }
            if deleting {
                if FileManager.default.fileExists(atPath: stack.folder.path) {
                    try FileManager.default.removeItem(at: stack.folder)
                    note("deleted \(stack.folder.path)")
                }
                return
            }
            try stack.save()
        }
    }
}
