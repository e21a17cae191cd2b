import ArgumentParser
import Foundation
import LoadGeneration
import MLOpsClient
import MLOpsMessages
import MLOpsRPC
import MLOpsTLSTransport

/// `mlopsctl bench`: load tests of a running service, over mutual TLS as any
/// client, with an open or closed loop, honest percentiles and objectives.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load-test a running service: open or closed loop, percentiles from an HdrHistogram, objectives.",
        discussion: """
            An open loop (--rate) starts calls on schedule whether earlier ones were answered or not and counts
            each call's latency from its scheduled start, so a server that falls behind shows it (as wrk2 does);
            a closed loop (--concurrency) finds the most a server does. The report: calls, rate achieved against
            the schedule, fastest/mean/slowest, p50 to p99.9 and max, a histogram, each status with one message,
            and errors over time; --json for all of it; --slo fails the run (exit 1) naming the objective missed.
            Examples:
              mlopsctl bench gate-evaluate credit-risk-model --candidate 2 --rate 500 --duration 30s
              mlopsctl bench registry-latest credit-risk-model --rate 100:2000 --ramp 30s --slo 'p99<20ms'
              mlopsctl bench health --service gate --concurrency 64 --total 100000
              mlopsctl bench call /mlops.v1.ModelRegistry/GetRegisteredModel --request '{"name": "credit-risk-model"}'
            """,
        subcommands: [
            GateEvaluate.self, RegistryLatest.self, RegistryAlias.self, RegistryTransition.self, RegistryCreate.self,
            MonitoringIngest.self, Health.self, Call.self,
        ]
    )
}

extension BenchOptions {
    /// Runs `call` (given a client and the call's number) under this load,
    /// spread over `--connections` clients of `service`; prints the report;
    /// exit status 1 when an objective is missed or no call succeeded.
    func run(
        _ scenario: String,
        method: String,
        target: BenchTarget,
        connection: ConnectionOptions,
        call: @escaping @Sendable (RPCClient, Int) async throws -> Void
    ) async throws {
        let plan = try plan()
        let objectives = try objectives()
        let clients = try (0..<connections).map { _ in
            try connection.client(service: target.rawValue, defaultPort: target.defaultPort)
        }
        defer { Task { for client in clients { await client.close() } } }
        let onTerminal = isatty(STDERR_FILENO) == 1 && !connection.json
        let classify: @Sendable (any Error) -> (code: String, message: String) = { error in
            guard let error = error as? RPCError else { return ("ERROR", "\(error)") }
            return ("\(error.code)", error.message)
        }
        let progress: @Sendable (Duration, Int) -> Void = { elapsed, ended in
            let line = "\r\(scenario): \(Int(elapsed.seconds)) s, \(ended) calls"
            FileHandle.standardError.write(Data(line.utf8))
        }
        let metricsURL = metrics.flatMap(URL.init(string:))
        var before: PrometheusScrape?
        if let metricsURL { before = try await PrometheusScrape.fetch(metricsURL) }
        let scrapedAt = ContinuousClock.now
        let report = await LoadRun.run(plan, classify: classify, progress: onTerminal ? progress : nil) { index in
            try await call(clients[index % clients.count], index)
        }
        var server: ServerView?
        if let metricsURL, let before {
            let after = try await PrometheusScrape.fetch(metricsURL)
            server = ServerView(before: before, after: after, method: method, seconds: (.now - scrapedAt).seconds)
        }
        if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }

        let name = "\(scenario) at \(clients[0].address)"
        print(
            connection.json
                ? BenchPresentation.json(report, scenario: name, objectives: objectives, server: server)
                : BenchPresentation.text(report, scenario: name, server: server)
        )
        if let html {
            let page = BenchReportPage.html(report, scenario: name, objectives: objectives, server: server)
            try Data(page.utf8).write(to: URL(fileURLWithPath: html))
        }
        if let csv { try Data(BenchPresentation.csv(report).utf8).write(to: URL(fileURLWithPath: csv)) }
        let missed = objectives.filter { !$0.isMet(by: report) }
        if !connection.json {
            for objective in objectives {
                print(
                    "\(missed.contains(objective) ? "✗ missed" : "✓ met")  \(objective) (\(objective.explain(report)))"
                )
            }
        }
        if report.succeeded == 0, report.sent > 0 {
            let example = report.statuses.first.map { "; e.g. \($0.code): \($0.example)" } ?? ""
            throw CommandFailure("\(name): no call succeeded\(example)")
        }
        if !missed.isEmpty {
            fflush(nil)  // the report first, then why the run failed
            FileHandle.standardError.write(
                Data(
                    "objectives missed: \(missed.map { "\($0) (\($0.explain(report)))" }.joined(separator: ", "))\n"
                        .utf8
                )
            )
            throw ExitCode(1)
        }
    }
}

extension BenchCommand {
    struct GateEvaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gate-evaluate",
            abstract: "Evaluate calls against the gate: dry runs unless --logged.",
            discussion: """
                The samples come from a CSV (evaluate's: label, candidate, production) or are generated
                (--samples N, seeded: the candidate better than production). With --logged every call logs a
                decision under a key of its own, and a candidate that passes is promoted each time.
                Example: mlopsctl bench gate-evaluate credit-risk-model --candidate 2 --samples 2000 --rate 500
                """
        )
        @Argument var model: String
        @Option var candidate: Int64
        @Option(help: "label,candidate,production per row.") var samplesFile: String?
        @Option(help: "Generated samples per call, when no --samples-file.") var samples = 1_000
        @Flag(help: "Log every decision (and promote a candidate that passes) instead of dry runs.") var logged = false
        @OptionGroup var load: BenchOptions
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            var template =
                try samplesFile.map { try GateCommand.request(model: model, candidate: candidate, samples: $0) }
                ?? Self.generated(model: model, candidate: candidate, count: samples)
            template.triggerReason = .manual
            template.dryRun = !logged
            let (request, logged, options) = (template, logged, connection.callOptions)
            let run = UUID().uuidString.lowercased().prefix(8)
            try await load.run(
                "gate-evaluate",
                method: RetrainingGateMethods.evaluate.path,
                target: .gate,
                connection: connection
            ) {
                client,
                index in
                var call = request
                if logged { call.idempotencyKey = "bench-\(run)-\(index)" }
                _ = try await RetrainingGateClient(client).evaluate(call, options: options)
            }
        }

        /// Samples on which the candidate is clearly better than production, the same every time.
        static func generated(model: String, candidate: Int64, count: Int) -> EvaluateRequest {
            var request = EvaluateRequest(modelName: model, candidateVersion: candidate)
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            func next() -> Double {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Double(state >> 11) / Double(1 << 53)
            }
            for _ in 0..<count {
                let positive = next() < 0.4
                request.labels.append(positive ? 1 : 0)
                let (good, rough) = (next(), next())
                request.candidateProbabilities.append(positive ? 0.6 + 0.4 * good : 0.4 * good)
                request.productionProbabilities.append(positive ? 0.3 + 0.6 * rough : 0.6 * rough)
            }
            return request
        }
    }

    struct RegistryLatest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registry-latest",
            abstract: "GetLatestVersions calls against the registry: reads only.",
            discussion: "Example: mlopsctl bench registry-latest credit-risk-model --stage Production --rate 1000"
        )
        @Argument var model: String
        @Option(help: "Only these stages (repeatable); all four by default.") var stage: [String] = []
        @OptionGroup var load: BenchOptions
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let (request, options) = (GetLatestVersionsRequest(name: model, stages: stage), connection.callOptions)
            try await load.run(
                "registry-latest",
                method: ModelRegistryMethods.getLatestVersions.path,
                target: .registry,
                connection: connection
            ) {
                client,
                _ in
                _ = try await ModelRegistryClient(client).getLatestVersions(request, options: options)
            }
        }
    }

    struct Health: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Health checks against any service: the transport's own cost, with no database work.",
            discussion: "Example: mlopsctl bench health --service gate --concurrency 64 --duration 10s"
        )
        @Option(help: "registry, monitoring or gate.") var service = BenchTarget.registry
        @OptionGroup var load: BenchOptions
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let (request, options) = (HealthCheckRequest(service: service.rpcService), connection.callOptions)
            try await load.run(
                "health",
                method: HealthMethods.check.path,
                target: service,
                connection: connection
            ) { client, _ in
                _ = try await HealthClient(client).check(request, options: options)
            }
        }
    }

    struct RegistryAlias: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registry-alias",
            abstract: "GetModelVersionByAlias calls against the registry: reads only.",
            discussion: "Example: mlopsctl bench registry-alias credit-risk-model champion --rate 1000"
        )
        @Argument var model: String
        @Argument var alias: String
        @OptionGroup var load: BenchOptions
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let (request, options) = (GetModelVersionByAliasRequest(name: model, alias: alias), connection.callOptions)
            try await load.run(
                "registry-alias",
                method: ModelRegistryMethods.getModelVersionByAlias.path,
                target: .registry,
                connection: connection
            ) { client, _ in
                _ = try await ModelRegistryClient(client).getModelVersionByAlias(request, options: options)
            }
        }
    }

    struct RegistryTransition: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registry-transition",
            abstract: "TransitionModelVersionStage calls: each moves the version to the stage again (a write).",
            discussion: """
                Every call writes a history row; use a model of its own. The caller needs the right to move
                versions into the stage (the registry's policy).
                Example: mlopsctl bench registry-transition bench-model 1 --stage Staging --concurrency 8 --total 5000
                """
        )
        @Argument var model: String
        @Argument var version: Int64
        @Option(help: "None, Staging, Production or Archived.") var stage = "Staging"
        @Flag(help: "Archive the versions already in the stage, as a promotion does.") var archiveExisting = false
        @OptionGroup var load: BenchOptions
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let request = TransitionModelVersionStageRequest(
                name: model,
                version: version,
                stage: stage,
                archiveExistingVersions: archiveExisting
            )
            let options = connection.callOptions
            try await load.run(
                "registry-transition",
                method: ModelRegistryMethods.transitionModelVersionStage.path,
                target: .registry,
                connection: connection
            ) { client, _ in
                _ = try await ModelRegistryClient(client).transitionModelVersionStage(request, options: options)
            }
        }
    }

    struct RegistryCreate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registry-create",
            abstract: "CreateModelVersion calls: each registers a new version of the model (a write).",
            discussion: """
                The model must exist; every call adds a version, so use a model of its own.
                Example: mlopsctl bench registry-create bench-model --concurrency 16 --duration 10s
                """
        )
        @Argument var model: String
        @Option(help: "The versions' source URI.") var source = "s3://bench/model"
        @OptionGroup var load: BenchOptions
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let (request, options) = (CreateModelVersionRequest(name: model, source: source), connection.callOptions)
            try await load.run(
                "registry-create",
                method: ModelRegistryMethods.createModelVersion.path,
                target: .registry,
                connection: connection
            ) { client, _ in
                _ = try await ModelRegistryClient(client).createModelVersion(request, options: options)
            }
        }
    }

    struct MonitoringIngest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "monitoring-ingest",
            abstract: "LogPredictions calls: batches of generated predictions with ten numeric features (a write).",
            discussion: """
                Each call logs --batch predictions with ids of their own, timestamped now; the report's rate is
                calls, so predictions a second are the rate times --batch.
                Example: mlopsctl bench monitoring-ingest bench-model --batch 500 --rate 50 --duration 30s
                """
        )
        @Argument var model: String
        @Option(help: "The model version the predictions are of.") var version: Int64 = 1
        @Option(help: "Predictions per call.") var batch = 100
        @OptionGroup var load: BenchOptions
        @OptionGroup var connection: ConnectionOptions

        func validate() throws {
            guard (1...50_000).contains(batch) else { throw ValidationError("--batch must be 1 to 50,000") }
        }

        func run() async throws {
            let (model, version, batch, options) = (model, version, batch, connection.callOptions)
            let run = UUID().uuidString.lowercased().prefix(8)
            try await load.run(
                "monitoring-ingest",
                method: MonitoringMethods.logPredictions.path,
                target: .monitoring,
                connection: connection
            ) { client, index in
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let predictions = (0..<batch).map { row in
                    let seed = Double((index &* 31 &+ row) % 1_000) / 1_000
                    return Prediction(
                        predictionId: "bench-\(run)-\(index)-\(row)",
                        modelName: model,
                        modelVersion: version,
                        timestamp: now,
                        numericFeatures: Dictionary(
                            uniqueKeysWithValues: (0..<10).map { ("f\($0)", seed * Double($0 + 1)) }
                        ),
                        probability: seed,
                        predictedLabel: seed > 0.5 ? 1 : 0
                    )
                }
                _ = try await MonitoringClient(client).logPredictions(.init(predictions: predictions), options: options)
            }
        }
    }
}

/// The service a benchmark loads: where it answers by default, and its RPC service's name.
enum BenchTarget: String, CaseIterable, ExpressibleByArgument {
    case registry, monitoring, gate

    var defaultPort: Int {
        switch self {
        case .registry: RegistryCommand.defaultPort
        case .monitoring: MonitoringCommand.defaultPort
        case .gate: GateCommand.defaultPort
        }
    }

    var rpcService: String {
        switch self {
        case .registry: ModelRegistryMethods.serviceName
        case .monitoring: MonitoringMethods.serviceName
        case .gate: RetrainingGateMethods.serviceName
        }
    }
}
