import Foundation
import MLOpsMessages
import Testing

/// Bytes produced by protobuf-c must mean the same to another implementation:
/// Python's `protobuf` decodes them, re-encodes them, and tells what it read.
@Suite("protobuf-c bytes decode to the same values in Python's protobuf")
struct InteropTests {
    @Test("every message survives a trip through Python", arguments: RoundTripTests.samples)
    func throughPython(sample: Sample) throws {
        let answer = try PythonProtobuf.shared.reencode(sample.message)
        let decoded = try sample.decode(answer.bytes)
        // Not byte-for-byte: Python writes a map entry's empty key and value
        // explicitly where protobuf-c leaves them out; both decode the same.
        #expect(sample.isEqual(to: decoded))
    }

    @Test func pythonReadsTheValuesWeWrote() throws {
        let status = Status(
            code: 5,
            message: "Model Version (name=mödel, version=9) not found",
            metadata: ["request-id": "r-1", "caller": "retraining-gate"]
        )
        let value = try PythonProtobuf.shared.reencode(status).value
        #expect(value["code"] as? Int == 5)
        #expect(value["message"] as? String == "Model Version (name=mödel, version=9) not found")
        #expect(value["metadata"] as? [String: String] == ["request-id": "r-1", "caller": "retraining-gate"])

        let metrics = ClassifierMetrics(f1: 0.75, rocAuc: 0)
        let metricsValue = try PythonProtobuf.shared.reencode(metrics).value
        #expect(metricsValue["f1"] as? Double == 0.75)
        // Present but zero: Python sees the wrapper message, empty on the wire.
        #expect(metricsValue["roc_auc"] as? [String: Any] != nil)
        #expect(metricsValue["brier"] == nil)
    }
}

/// One Python process, fed JSON lines, shared by the suite.
final class PythonProtobuf: @unchecked Sendable {
    static let shared = PythonProtobuf()

    struct Answer {
        var bytes: [UInt8]
        var value: [String: Any]
        /// json_format's text: lowerCamelCase names, and proto field names.
        var json: Data
        var jsonWithProtoNames: Data
    }

    private let lock = NSLock()
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered = Data()

    private init() {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Interop")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", folder.appendingPathComponent("reencode.py").path,
            folder.appendingPathComponent("mlops.desc").path,
        ]
        process.standardInput = input
        process.standardOutput = output
    }

    func reencode(_ message: any ProtobufMessage) throws -> Answer {
        lock.lock()
        defer { lock.unlock() }
        if !process.isRunning {
            try process.run()
        }
        let request: [String: Any] = [
            "type": type(of: message).protoName,
            "bytes": Data(try message.serializedBytes()).base64EncodedString(),
        ]
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: request) + Data("\n".utf8))
        let line = try readLine()
        let answer = try #require(try JSONSerialization.jsonObject(with: line) as? [String: Any])
        let encoded = try #require(answer["bytes"] as? String)
        let bytes = try #require(Data(base64Encoded: encoded))
        return Answer(
            bytes: Array(bytes),
            value: try #require(answer["value"] as? [String: Any]),
            json: Data(try #require(answer["json"] as? String).utf8),
            jsonWithProtoNames: Data(try #require(answer["json_proto_names"] as? String).utf8)
        )
    }

    private func readLine() throws -> Data {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffered[..<newline]
                buffered = buffered[(newline + 1)...]
                return Data(line)
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                throw PythonUnavailable()
            }
            buffered.append(chunk)
        }
    }

    struct PythonUnavailable: Error, CustomStringConvertible {
        var description: String {
            "python3 with the protobuf package did not answer; scripts/install-dependencies.sh installs it"
        }
    }
}
