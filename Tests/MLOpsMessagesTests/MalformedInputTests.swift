import MLOpsMessages
import Testing

@Suite("Malformed and truncated bytes give an error, never a crash")
struct MalformedInputTests {
    @Test("every cut of every message's bytes is an error or a different message", arguments: RoundTripTests.samples)
    func truncated(sample: Sample) throws {
        let bytes = try sample.message.serializedBytes()
        // Every cut near the start and the end, and a spread in between.
        let cuts = Set(Array(0..<min(bytes.count, 64)) + stride(from: 0, to: bytes.count, by: max(1, bytes.count / 64)))
            .union((max(0, bytes.count - 64)..<bytes.count))
        for cut in cuts.sorted() {
            do {
                let decoded = try sample.decode(Array(bytes[..<cut]))
                #expect(!sample.isEqual(to: decoded), "a cut at \(cut) of \(bytes.count) bytes decoded to the original")
            } catch {
                #expect(error.code == .malformed || error.code == .invalidUTF8)
            }
        }
    }

    @Test(
        "known-bad encodings are rejected",
        arguments: [
            [0x0A, 0x05, 0x41],  // field 1, length 5, one byte present
            [0x08],  // field 1 varint tag without its value
            [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],  // 11-byte varint
            [0x00, 0x01],  // field number 0
            [0x0F],  // wire type 7 does not exist
            [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],  // length of 4 GiB
        ] as [[UInt8]]
    )
    func rejected(bytes: [UInt8]) {
        #expect(throws: MessageCodingError.self) { try RequestHeader(serializedBytes: bytes) }
    }

    @Test func invalidUTF8InAStringIsRejected() {
        // Field 1 (method, a string) holding 0xC3 0x28, which is not UTF-8.
        let error = #expect(throws: MessageCodingError.self) {
            try RequestHeader(serializedBytes: [0x0A, 0x02, 0xC3, 0x28])
        }
        #expect(error?.code == .invalidUTF8)
    }

    @Test func aNULInAStringIsRejectedNamingTheField() {
        // CreateRegisteredModelRequest.name (1) = "x\0suffix": protobuf-c alone reads "x".
        let name = #expect(throws: MessageCodingError.self) {
            try CreateRegisteredModelRequest(serializedBytes: [0x0A, 0x08, 0x78, 0x00] + Array("suffix".utf8))
        }
        #expect(name?.code == .embeddedNUL && name?.message.contains("field name holds U+0000") == true)

        // LogPredictionsRequest.predictions (1) → Prediction.prediction_id (1) = "a\0b".
        let nested = #expect(throws: MessageCodingError.self) {
            try LogPredictionsRequest(serializedBytes: [0x0A, 0x05, 0x0A, 0x03, 0x61, 0x00, 0x62])
        }
        #expect(nested?.message.contains("field predictions.prediction_id holds U+0000") == true)

        // A map's value: CreateRegisteredModelRequest.tags (3) → entry {key "k", value "v\0"}.
        let tag = #expect(throws: MessageCodingError.self) {
            try CreateRegisteredModelRequest(
                serializedBytes: [0x1A, 0x07, 0x0A, 0x01, 0x6B, 0x12, 0x02, 0x76, 0x00]
            )
        }
        #expect(tag?.message.contains("field tags.value holds U+0000") == true)

        // Zero bytes elsewhere (numbers, lengths) are no concern.
        #expect(throws: Never.self) {
            try LogPredictionsRequest(serializedBytes: [0x0A, 0x05, 0x0A, 0x01, 0x61, 0x18, 0x00])
        }
    }

    @Test func aMapEntryWithoutItsMessageValueHoldsTheDefaultMessage() throws {
        // RunMonitoringRequest.options (4) → DriftOptions.per_feature (1) → an
        // entry with key "f" (1) and no value.
        let request = try RunMonitoringRequest(serializedBytes: [0x22, 0x05, 0x0A, 0x03, 0x0A, 0x01, 0x66])
        #expect(request.options?.perFeature == ["f": DriftTestChoice()])
    }

    @Test("random bytes never crash the decoder", arguments: RoundTripTests.samples)
    func randomBytes(sample: Sample) {
        var generator = SplitMix64(seed: UInt64(truncatingIfNeeded: sample.testDescription.hashValue & 0xFFFF))
        for length in [1, 2, 7, 33, 500] {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                _ = try? sample.decode(bytes)
            }
        }
    }
}

/// A small seeded generator, so a failing input can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
