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

    @Test func everyMethodErrorsDeadlinesCancellationStreamsAndHealth() async throws {
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
        _ = try await client.next("done")
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

    func stop() {
        if process.isRunning { process.terminate() }
    }
}

struct PythonClientError: Error, CustomStringConvertible {
    let expected: String
    let got: String
    var description: String { "expected the Python client's \(expected) report, got: \(got)" }
}
