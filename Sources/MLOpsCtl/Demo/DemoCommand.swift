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
            Examples:
              mlopsctl dev up && mlopsctl demo
              mlopsctl demo --model credit-risk-model-2     # again, on a stack that ran it before
            """
    )

    @OptionGroup var location: DevCommand.Location
    @Option(help: "The registered model the demo creates; it must not exist yet.")
    var model = "credit-risk-model"

    func run() async throws {
        let stack = try DevStack(folder: location.folder, basePort: location.basePort)
        for service in DevStack.services where await stack.health(service) != .serving {
            throw CommandFailure(
                "\(service.name) does not serve at 127.0.0.1:\(stack.state.port(service)); start the stack with "
                    + "`mlopsctl dev up --folder \(location.folder)`"
            )
        }
        var scenario = DemoScenario(
            stack: stack,
            model: model,
            reportFile: stack.folder.appendingPathComponent("demo/\(model)-drift-report.html")
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
