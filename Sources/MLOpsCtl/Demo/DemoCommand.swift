import ArgumentParser
import Foundation
import MLOpsMessages

/// `mlopsctl demo`: the system doing its job on a synthetic credit-risk model.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the end-to-end scenario against the stack of `mlopsctl dev up`.",
        discussion: """
            A deterministic day in the life of credit-risk-model, through the real services over TLS:
            v1 is registered and put in Production; its training data becomes the drift reference; a day
            of its predictions is logged (the applicants change in the last 6 hours) and labels follow;
            monitoring analyses each hour and finds the drift; the pipeline retrains v2 (fit for the new
            applicants) and v3 (a broken feature pipeline); the gate promotes v2 and rejects v3, with
            reasons. It ends with the model's timeline, the decisions, the drift trend and the report.
            Every expected outcome is checked; if one did not happen the exit status is 1.
            Against another stack (compose's, say), --certificates names the folder of its CA's
            certificates and MLOPS_REGISTRY_ADDRESS, MLOPS_MONITORING_ADDRESS and MLOPS_GATE_ADDRESS say
            where the services answer.
            Examples:
              mlopsctl dev up && mlopsctl demo
              mlopsctl demo --model credit-risk-model-2     # again, on a stack that ran it before
              MLOPS_REGISTRY_ADDRESS=127.0.0.1:7001 MLOPS_MONITORING_ADDRESS=127.0.0.1:7002 \\
                MLOPS_GATE_ADDRESS=127.0.0.1:7003 mlopsctl demo --certificates tls/
            """
    )

    @OptionGroup var location: DevCommand.Location
    @Option(help: "The registered model the demo creates; it must not exist yet.")
    var model = "credit-risk-model"
    @Option(
        help: """
            A stack mlopsctl dev did not start: the folder holding ca.pem and the admin, trainer and serving \
            certificates and keys (NAME.pem, NAME.key).
            """
    )
    var certificates: String?
    @Option(help: "Where the drift report goes (default: the dev folder's demo/, else this folder).")
    var reportFile: String?

    func run() async throws {
        let (stack, hint, defaultReport): (StackEndpoints, String, URL)
        if let certificates {
            stack = try StackEndpoints(
                certificates: URL(fileURLWithPath: certificates),
                environment: ProcessInfo.processInfo.environment
            )
            hint = "is the stack up?"
            defaultReport = URL(fileURLWithPath: "\(model)-drift-report.html")
        } else {
            let dev = try DevStack(folder: location.folder, basePort: location.basePort)
            stack = dev.endpoints
            hint = "start the stack with `mlopsctl dev up --folder \(location.folder)`"
            defaultReport = dev.folder.appendingPathComponent("demo/\(model)-drift-report.html")
        }
        for service in DevStack.services where await stack.health(service) != .serving {
            throw CommandFailure("\(service.name) does not serve at \(stack.addresses[service.name] ?? ""); \(hint)")
        }
        var scenario = DemoScenario(
            stack: stack,
            model: model,
            reportFile: reportFile.map(URL.init(fileURLWithPath:)) ?? defaultReport
        )
        try await scenario.run()
        let outcome = scenario.outcome
        if outcome.failures.isEmpty {
            print("\nAll \(outcome.checked) expected outcomes happened.")
        } else {
            print("\n\(outcome.failures.count) of \(outcome.checked) expected outcomes did not happen:")
            for failure in outcome.failures { print("  ✗ \(failure)") }
            throw ExitCode(1)
        }
    }
}
