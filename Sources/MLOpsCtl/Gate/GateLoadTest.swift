import ArgumentParser
import Foundation
import LoadGeneration
import MLOpsClient
import MLOpsMessages
import MLOpsRPC

extension GateCommand {
    struct LoadTest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load-test",
            abstract: "Load-test Evaluate: concurrent callers sending a CSV's samples, for a while.",
            discussion: """
                Each of --callers calls again as soon as its answer arrives, for --duration seconds,
                over --connections TLS connections; prints calls per second, p50 and p99 latency and
                failed calls. Dry runs (nothing logged, nothing promoted) unless --logged: then every
                call logs a decision under a key of its own, and a candidate that passes is promoted.
                The CSV is evaluate's: label, candidate, and production when the model has one.
                Example:
                  mlopsctl gate load-test credit-risk-model --candidate 2 scores.csv --callers 64 --duration 10
                """
        )
        @Argument var model: String
        @Option var candidate: Int64
        @Argument(help: "label,candidate,production per row.") var file: String
        @Option var callers = 16
        @Option(help: "Seconds.") var duration = 10.0
        @Option(help: "TLS connections the callers share.") var connections = 2
        @Flag(help: "Log every decision (and promote a candidate that passes) instead of dry runs.") var logged = false
        @OptionGroup var connection: ConnectionOptions

        func validate() throws {
            guard callers > 0, connections > 0, duration > 0 else {
                throw ValidationError("--callers, --connections and --duration must be positive")
            }
        }

        func run() async throws {
            var request = try GateCommand.request(model: model, candidate: candidate, samples: file)
            request.triggerReason = .manual
            request.dryRun = !logged
            let template = request
            let gates = try (0..<connections).map { _ in
                RetrainingGateClient(try connection.client(service: "gate", defaultPort: GateCommand.defaultPort))
            }
            defer { Task { for gate in gates { await gate.rpc.close() } } }
            let (run, logged, options) = (UUID().uuidString.lowercased().prefix(8), logged, connection.callOptions)
            let result = try await ClosedLoopLoad.measure(callers: callers, duration: duration) { caller, sequence in
                var request = template
                if logged { request.idempotencyKey = "load-test-\(run)-\(caller)-\(sequence)" }
                _ = try await gates[caller % gates.count].evaluate(request, options: options)
            }
            LoadPresentation.print(result, callers: callers, json: connection.json)
            if result.calls == 0, let error = result.lastError {
                throw CommandFailure(
                    "retraining-gate at \(gates[0].rpc.address): no call succeeded; the last: \(error)"
                )
            }
        }
    }
}
