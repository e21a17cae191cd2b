import MLOpsMessages
import Testing

@Suite("Messages round-trip through protobuf-c bytes")
struct RoundTripTests {
    static let samples = MessageSamples.all.map(Sample.init)

    @Test("every message with edge values", arguments: samples)
    func edgeValues(sample: Sample) throws {
        try #expect(sample.roundTrips())
    }

    @Test("every message with default values encodes to nothing", arguments: samples)
    func defaults(sample: Sample) throws {
        let empty = sample.emptyMessage()
        try #expect(empty.serializedBytes().isEmpty)
        try #expect(Sample(empty).roundTrips())
    }

    @Test("the encoded size is what serializedBytes returns", arguments: samples)
    func size(sample: Sample) throws {
        try #expect(sample.message.serializedSize() == sample.message.serializedBytes().count)
    }

    @Test func unknownEnumValuesSurvive() throws {
        let response = HealthCheckResponse(status: .unrecognized(77), reason: "from a newer server")
        let decoded = try HealthCheckResponse(serializedBytes: response.serializedBytes())
        #expect(decoded.status == .unrecognized(77))
        #expect(decoded.status.rawValue == 77)
        #expect(ServingStatus(rawValue: 2) == .notServing)
    }

    @Test func optionalScalarsKeepPresence() throws {
        let absent = try ClassifierMetrics(serializedBytes: ClassifierMetrics(f1: 0.5).serializedBytes())
        #expect(absent.rocAuc == nil)
        let zero = try ClassifierMetrics(serializedBytes: ClassifierMetrics(rocAuc: 0).serializedBytes())
        #expect(zero.rocAuc == 0)
    }

    @Test func mapEntriesAreWrittenInKeyOrder() throws {
        let forward = Status(code: 3, metadata: ["a": "1", "b": "2", "c": "3"])
        var reversed = Status(code: 3)
        for key in ["c", "b", "a"] { reversed.metadata[key] = forward.metadata[key] }
        try #expect(forward.serializedBytes() == reversed.serializedBytes())
    }

    @Test func largeRepeatedFields() throws {
        let count = 200_000
        let request = EvaluateRequest(
            labels: (0..<count).map { Int32($0 % 2) },
            candidateProbabilities: (0..<count).map { Double($0) / Double(count) },
            productionProbabilities: Array(repeating: 0.5, count: count)
        )
        let decoded = try EvaluateRequest(serializedBytes: request.serializedBytes())
        #expect(decoded == request)
    }

    @Test func stringsWithNULCannotBeEncoded() {
        #expect(throws: MessageCodingError.self) {
            try HealthCheckRequest(service: "a\u{0}b").serializedBytes()
        }
    }

    @Test func methodDescriptorsNameTheirPaths() {
        #expect(ModelRegistryMethods.getLatestVersions.path == "/mlops.v1.ModelRegistry/GetLatestVersions")
        #expect(ModelRegistryMethods.watchModelVersions.isServerStreaming)
        #expect(!ModelRegistryMethods.transitionModelVersionStage.isServerStreaming)
        #expect(MonitoringMethods.getArtifact.isServerStreaming)
        #expect(HealthMethods.allPaths == ["/mlops.v1.Health/Check"])
    }
}

/// A message of any type, with the operations the tests need opened over its type.
struct Sample: Sendable, CustomTestStringConvertible {
    let message: any ProtobufMessage

    init(_ message: any ProtobufMessage) { self.message = message }

    var testDescription: String { type(of: message).protoName }

    func roundTrips() throws -> Bool {
        func check<Message: ProtobufMessage>(_ message: Message) throws -> Bool {
            try Message(serializedBytes: message.serializedBytes()) == message
        }
        return try check(message)
    }

    func emptyMessage() -> any ProtobufMessage {
        func make<Message: ProtobufMessage>(_: Message) -> any ProtobufMessage { Message() }
        return make(message)
    }

    /// Decodes `bytes` as this sample's type.
    func decode(_ bytes: [UInt8]) throws(MessageCodingError) -> any ProtobufMessage {
        func decode<Message: ProtobufMessage>(_: Message) throws(MessageCodingError) -> any ProtobufMessage {
            try Message(serializedBytes: bytes)
        }
        return try decode(message)
    }

    func isEqual(to other: any ProtobufMessage) -> Bool {
        func compare<Message: ProtobufMessage>(_ message: Message) -> Bool { (other as? Message) == message }
        return compare(message)
    }
}
