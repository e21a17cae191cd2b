import MLOpsRPC
import NIOCore
import Testing

@testable import MLOpsTLSTransport

@Suite("gRPC's wire details: timeouts, status messages, length-prefixed messages")
struct GRPCWireTests {
    @Test(
        "grpc-timeout values parse",
        arguments: [
            ("1H", Duration.seconds(3600)), ("2M", .seconds(120)), ("3S", .seconds(3)), ("250m", .milliseconds(250)),
            ("7u", .microseconds(7)), ("99999999n", .nanoseconds(99_999_999)), ("0m", .zero),
        ]
    )
    func timeoutsParse(value: String, expected: Duration) {
        #expect(GRPCTimeout.parse(Substring(value)) == expected)
    }

    @Test(
        "malformed grpc-timeout values are refused",
        arguments: ["", "m", "10", "100000000S", "-5m", "1.5S", "10s", "1 m", "٣S"]
    )
    func malformedTimeouts(value: String) {
        #expect(GRPCTimeout.parse(Substring(value)) == nil)
    }

    @Test func statusMessagesArePercentEncodedAndBack() {
        let message = "Identity 'trainer' may not move versions to Production — 100% sure\n"
        let encoded = GRPCStatusMessage.encode(message)
        #expect(encoded.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E })
        #expect(encoded.contains("100%25 sure%0A"))
        #expect(GRPCStatusMessage.decode(encoded) == message)
        #expect(GRPCStatusMessage.decode("50%") == "50%", "a lone % is kept")
    }

    @Test func errorsQuotingThePeersBytesAreLoggedOnOneShortLine() {
        struct Quoting: Error, CustomStringConvertible {
            var description: String { "invalid header value: x\r\nforged: line" + String(repeating: "y", count: 1000) }
        }
        let logged = GRPCStatusMessage.loggable(Quoting())
        #expect(!logged.contains("\r") && !logged.contains("\n") && logged.contains("%0D%0Aforged"))
        #expect(logged.utf8.count < 400)
    }

    @Test func messagesSplitAnyhowAreReassembled() throws {
        var reader = LengthPrefixedMessageReader(maximumMessageSize: 100)
        var wire = LengthPrefixedMessageReader.frame(Array("first".utf8), allocator: .init())
        var second = LengthPrefixedMessageReader.frame(Array("second".utf8), allocator: .init())
        wire.writeBuffer(&second)
        var pieces: [String] = []
        while let byte = wire.readSlice(length: 1) {
            reader.append(byte)
            while let message = try reader.next() { pieces.append(String(buffer: message)) }
        }
        #expect(pieces == ["first", "second"])
        #expect(reader.leftoverBytes == 0)
    }

    @Test func aLengthOverTheLimitIsRefusedBeforeTheBytesArrive() {
        var reader = LengthPrefixedMessageReader(maximumMessageSize: 100)
        reader.append(ByteBuffer(bytes: [0, 0xFF, 0xFF, 0xFF, 0xFF]))
        #expect(throws: RPCError.self) { try reader.next() }
        var compressed = LengthPrefixedMessageReader(maximumMessageSize: 100)
        compressed.append(ByteBuffer(bytes: [1, 0, 0, 0, 1, 7]))
        let error = #expect(throws: RPCError.self) { try compressed.next() }
        #expect(error?.code == .unimplemented)
    }
}
