import Foundation
import MLOpsClient
import MLOpsMessages
import MLOpsTestSupport
import Testing

/// A stock gRPC client in another language calls the registry: Python's
/// grpcio, with stubs generated from protos/ by grpcio-tools, over mutual TLS
/// to the same port our own clients use (ALPN `h2`).
@Suite("Python's grpcio calls the registry over gRPC", .temporaryPostgres, .runningRegistry(), .timeLimit(.minutes(3)))
struct GRPCInteropTests {
    let registry: RunningRegistry

    init() throws {
        registry = try #require(RunningService.current)
    }

    @Test func everyMethodErrorsDeadlinesCancellationStreamsHealthAndReflection() async throws {
        let model = "grpc-python"
        let client = try PythonGRPCClient(registry: registry, model: model)
        defer { client.stop() }

        let happy = try await client.next("happy")["results"] as? [String: Any] ?? [:]
        #expect(happy.count == 21, "every unary method (all but the watch): \(happy.keys.sorted())")
        #expect(happy["CreateRegisteredModel"] as? String == model)
        #expect(happy["GetRegisteredModel"] as? String == "py")
        #expect(happy["UpdateRegisteredModel"] as? String == "updated")
        #expect(happy["CreateModelVersion"] as? Int == 1)
        #expect(happy["GetModelVersion"] as? String == "s3://models/1")
        #expect(happy["UpdateModelVersion"] as? String == "first")
        #expect(happy["TransitionModelVersionStage"] as? String == "Staging")
        #expect(happy["GetLatestVersions"] as? [Int] == [2])
        #expect(happy["GetModelVersionByAlias"] as? Int == 1)
        #expect(happy["SearchRegisteredModels"] as? [String] == [model])
        #expect(happy["SearchModelVersions"] as? [Int] == [1, 2])
        #expect((happy["ListTransitions"] as? Int ?? 0) >= 3)
        #expect(happy["RenameRegisteredModel"] as? String == model + "-renamed")
        for (method, value) in happy where value as? String == "False" { Issue.record("\(method) returned nothing") }

        let errors = try await client.next("errors")["results"] as? [String: [String: Any]] ?? [:]
        func code(_ key: String) -> String? { errors[key]?["code"] as? String }
        #expect(code("missing") == "NOT_FOUND")
        #expect(code("duplicate") == "ALREADY_EXISTS")
        #expect(code("invalid") == "INVALID_ARGUMENT")
        #expect(code("bad_stage") == "INVALID_ARGUMENT")
        #expect(code("denied") == "PERMISSION_DENIED")
        #expect(code("denied_alias") == "PERMISSION_DENIED")
        #expect(code("unknown_method") == "UNIMPLEMENTED")
        #expect(code("garbage_request") == "INVALID_ARGUMENT")
        // Metadata both ways: the request id sent comes back in the trailers.
        #expect((errors["missing"]?["trailers"] as? [String: String])?["request-id"] == "py-missing-1")
        // Status messages survive grpc-message's percent-encoding.
        #expect((errors["denied"]?["message"] as? String)?.contains("Identity 'trainer' may not") == true)

        let deadline = try await client.next("deadline")
        #expect(deadline["code"] as? String == "DEADLINE_EXCEEDED")
        #expect((deadline["seconds"] as? Double ?? 99) < 10)

        let cancel = try await client.next("cancel")
        #expect(cancel["first_kind"] as? String == "MODEL_VERSION_EVENT_KIND_SNAPSHOT")
        #expect(cancel["code"] as? String == "CANCELLED")

        let watching = try await client.next("watching")
        #expect(watching["snapshot"] as? [Int] == [1])
        // Changes through our own framing arrive on the gRPC stream, in order.
        let admin = try registry.client("admin")
        _ = try await admin.transitionModelVersionStage(.init(name: model, version: 1, stage: "Staging"))
        _ = try await admin.transitionModelVersionStage(.init(name: model, version: 1, stage: "Production"))
        _ = try await admin.transitionModelVersionStage(.init(name: model, version: 1, stage: "Archived"))
        client.send("go")
        let changes = try await client.next("changes")["events"] as? [[String: Any]] ?? []
        #expect(changes.map { $0["to_stage"] as? String } == ["Staging", "Production", "Archived"])
        #expect(changes.allSatisfy { $0["kind"] as? String == "MODEL_VERSION_EVENT_KIND_CHANGED" })

        let health = try await client.next("health")
        #expect(health["service"] as? String == "SERVING")
        #expect(health["overall"] as? String == "SERVING")
        #expect(health["unknown"] as? String == "NOT_FOUND")
        #expect(health["watch"] as? String == "SERVING")

        let reflection = try await client.next("reflection")
        let standardServices = [
            "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
        ]
        #expect(
            reflection["services"] as? [String] == standardServices + ["mlops.v1.Health", "mlops.v1.ModelRegistry"]
        )
        #expect((reflection["methods"] as? [String])?.contains("TransitionModelVersionStage") == true)
        #expect(reflection["watch_streams"] as? Bool == true)
        #expect(reflection["version_fields"] as? [String] == ["name", "version", "creation_timestamp"])
        #expect(reflection["called"] as? String == model)
        #expect(reflection["missing_symbol"] as? String == "KeyError")

        let answers = try await client.next("reflection_v1")["answers"] as? [Any] ?? []
        try #require(answers.count == 4, "one answer per request, on one open stream: \(answers)")
        #expect(answers[0] as? [String] == standardServices + ["mlops.v1.Health", "mlops.v1.ModelRegistry"])
        // The file first, then what it imports.
        #expect((answers[1] as? [String])?.first == "mlops/v1/registry.proto")
        #expect((answers[1] as? [String])?.contains("mlops/v1/values.proto") == true)
        #expect(answers[2] as? Int == 5, "NOT_FOUND for a file that is not there")
        #expect(answers[3] as? [Int] == [])
        _ = try await client.next("done")
    }

    /// The README's Python example, as written: stubs generated by the command
    /// in its first line, certificates in the working folder, the registry
    /// at its port. Its watch never ends, so it runs until the test has seen
    /// the snapshot.
    @Test func theREADMEsPythonExampleRuns() async throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)
        let block = try #require(readme.components(separatedBy: "```python\n").dropFirst().first)
        let example = String(block.components(separatedBy: "```").first!)
            .replacingOccurrences(of: "127.0.0.1:7001", with: "127.0.0.1:\(registry.replicas[0].port)")
        let generate = try #require(example.split(separator: "\n").first?.dropFirst(2))

        let admin = try registry.client("admin")
        try await admin.createModel("credit-risk-model", versions: 2)
        _ = try await admin.transitionModelVersionStage(
            .init(name: "credit-risk-model", version: 2, stage: "Production")
        )

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: repository.appendingPathComponent("protos"),
            to: folder.appendingPathComponent("protos")
        )
        let trainer = try registry.identityFiles("trainer")
        for (from, to) in [
            (registry.authority.authorityPath, "ca.pem"), (trainer.certificatePath, "trainer.pem"),
            (trainer.keyPath, "trainer.key"),
        ] {
            try FileManager.default.copyItem(atPath: from, toPath: folder.appendingPathComponent(to).path)
        }
        try example.write(to: folder.appendingPathComponent("example.py"), atomically: true, encoding: .utf8)

        let script = "\(generate) && exec python3 -u example.py"
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = folder
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // The latest Production version, then the watch's snapshot of both versions.
        let printed = try await Self.readUntil(output) { $0.contains("2 Production\n") }
        // SIGKILL: the example inherits a mask that blocks SIGTERM (see PythonGRPCClient.stop).
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let lines = printed.split(separator: "\n").map(String.init)
        #expect(lines.first == "[2]", "\(printed)")
        #expect(lines.dropFirst().contains("1 2 Production"), "\(printed)")
    }

    private static func readUntil(_ pipe: Pipe, _ done: @escaping @Sendable (String) -> Bool)
        async throws
        -> String
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var text = ""
                while !done(text) {
                    let more = pipe.fileHandleForReading.availableData
                    if more.isEmpty { break }
                    text += String(decoding: more, as: UTF8.self)
                }
                continuation.resume(returning: text)
            }
        }
    }
}

/// `GRPC/grpc_registry_client.py`, run against the registry, read line by line.
final class PythonGRPCClient: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered = Data()

    init(registry: RunningRegistry, model: String) throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let protos = tests.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("protos")
        var arguments = [
            "python3", tests.appendingPathComponent("GRPC/grpc_registry_client.py").path,
            "--target", "127.0.0.1:\(registry.replicas[0].port)",
            "--protos", protos.path,
            "--ca", registry.authority.authorityPath,
            "--model", model,
        ]
        for identity in ["admin", "trainer"] {
            let issued = try registry.identityFiles(identity)
            arguments += ["--identity", "\(identity)=\(issued.certificatePath),\(issued.keyPath)"]
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    /// The next line the client printed, which must be the check `name`;
    /// read off the cooperative pool, as the read blocks.
    func next(_ name: String) async throws -> [String: Any] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.readLine(name) })
            }
        }
    }

    private func readLine(_ name: String) throws -> [String: Any] {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffered[..<newline]
                buffered = Data(buffered[(newline + 1)...])
                let object = try JSONSerialization.jsonObject(with: line) as? [String: Any] ?? [:]
                guard object["check"] as? String == name else {
                    throw PythonClientError(expected: name, got: String(decoding: line, as: UTF8.self))
                }
                return object
            }
            let more = output.fileHandleForReading.availableData
            guard !more.isEmpty else {
                process.waitUntilExit()
                throw PythonClientError(expected: name, got: "exit \(process.terminationStatus)")
            }
            buffered.append(more)
        }
    }

    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Ends the client and waits for it (Foundation holds a process it has not
    /// seen exit). SIGKILL: a child started from a thread that blocks signals
    /// inherits the mask, and ignores SIGTERM.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

struct PythonClientError: Error, CustomStringConvertible {
    let expected: String
    let got: String
    var description: String { "expected the Python client's \(expected) report, got: \(got)" }
}
