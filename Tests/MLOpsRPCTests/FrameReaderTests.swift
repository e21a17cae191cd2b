import MLOpsRPC
import MLOpsTLSTransport
import NIOCore
import Testing

@Suite("Frame reader: frames out of a byte stream cut anywhere")
struct FrameReaderTests {
    private func frame(_ kind: Frame.Kind, stream: UInt32, _ payload: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeFrame(kind: kind, streamID: stream) { $0.writeString(payload) }
        return buffer
    }

    /// Everything `reader` hands over once `bytes` arrive.
    private func read(_ bytes: ByteBuffer, into reader: inout FrameReader) throws -> [InboundFrame] {
        reader.append(bytes)
        var frames: [InboundFrame] = []
        while let inbound = try reader.next() { frames.append(inbound) }
        return frames
    }

    private func payloads(_ frames: [InboundFrame]) -> [String] {
        frames.compactMap {
            guard case .frame(let frame) = $0 else { return nil }
            return String(buffer: frame.payload)
        }
    }

    @Test func framesCutAtEveryByteComeOutWholeAndInOrder() throws {
        var stream = frame(.request, stream: 1, "first")
        var second = frame(.request, stream: 3, "second, longer")
        stream.writeBuffer(&second)
        var reader = FrameReader(maximumPayloadSize: 1024)
        var frames: [InboundFrame] = []
        while let byte = stream.readSlice(length: 1) {
            frames += try read(byte, into: &reader)
        }
        #expect(payloads(frames) == ["first", "second, longer"])
    }

    @Test func severalFramesInOneReadComeOutTogether() throws {
        var bytes = frame(.message, stream: 1, "a")
        for (stream, text) in [(3, "b"), (5, "c")] {
            var next = frame(.message, stream: UInt32(stream), text)
            bytes.writeBuffer(&next)
        }
        var reader = FrameReader(maximumPayloadSize: 1024)
        #expect(payloads(try read(bytes, into: &reader)) == ["a", "b", "c"])
    }

    @Test func anOversizedFrameIsAnnouncedThenSkippedAcrossReads() throws {
        var reader = FrameReader(maximumPayloadSize: 8)
        var big = frame(.request, stream: 7, String(repeating: "x", count: 100))
        let head = big.readSlice(length: 30)!
        let announced = try read(head, into: &reader)
        #expect(announced == [.oversized(kind: .request, streamID: 7, length: 100)])
        var rest = big
        var after = frame(.request, stream: 9, "ok")
        rest.writeBuffer(&after)
        #expect(payloads(try read(rest, into: &reader)) == ["ok"])
    }

    @Test func anUnknownKindIsAProtocolErrorAndNothingAfterItIsRead() throws {
        var reader = FrameReader(maximumPayloadSize: 1024)
        var bad = ByteBuffer()
        bad.writeInteger(UInt32(0))
        bad.writeInteger(UInt8(99))
        bad.writeInteger(UInt8(0))
        bad.writeInteger(UInt32(1))
        #expect(throws: FrameProtocolError.self) { try read(bad, into: &reader) }
        #expect(try read(frame(.request, stream: 1, "later"), into: &reader).isEmpty)
    }
}
