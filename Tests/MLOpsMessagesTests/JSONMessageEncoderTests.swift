import MLOpsMessages
import Testing

@Suite("Requests written in protobuf's JSON mapping become the message's bytes")
struct JSONMessageEncoderTests {
    let encoder = JSONMessageEncoder()

    @Test("every message, as Python's json_format writes it, reads back equal", arguments: RoundTripTests.samples)
    func whatPythonWrites(sample: Sample) throws {
        let answer = try PythonProtobuf.shared.reencode(sample.message)
        for json in [answer.json, answer.jsonWithProtoNames] {
            let bytes = try encoder.encode(
                String(decoding: json, as: UTF8.self),
                as: type(of: sample.message).protoName
            )
            #expect(sample.isEqual(to: try sample.decode(bytes)), "\(String(decoding: json, as: UTF8.self))")
        }
    }

    @Test func aRequestWrittenByHand() throws {
        let json = """
            {"name": "credit-risk-model", "version": "3", "stage": "Production", "archive_existing_versions": true}
            """
        let bytes = try encoder.encode(json, as: TransitionModelVersionStageRequest.protoName)
        let expected = TransitionModelVersionStageRequest(
            name: "credit-risk-model",
            version: 3,
            stage: "Production",
            archiveExistingVersions: true
        )
        #expect(try TransitionModelVersionStageRequest(serializedBytes: bytes) == expected)
        // Proto3's defaults are left off the wire, and repeated numbers packed, as protobuf-c writes them.
        #expect(try bytes == expected.serializedBytes())
        let evaluate = try encoder.encode(
            #"{"modelName": "m", "candidateVersion": 0, "labels": [1, 0, 1], "candidateProbabilities": [0.9, 0.1, 1e0]}"#,
            as: EvaluateRequest.protoName
        )
        let typed = EvaluateRequest(modelName: "m", labels: [1, 0, 1], candidateProbabilities: [0.9, 0.1, 1])
        #expect(try evaluate == typed.serializedBytes())
        #expect(try encoder.encode(#"{"service": ""}"#, as: HealthCheckRequest.protoName).isEmpty)
    }

    @Test func optionalScalarsMayBeBareValuesAndKeepPresence() throws {
        let bare = try encoder.encode(
            #"{"maxResults": 0, "order_by": ["name DESC"]}"#,
            as: SearchRegisteredModelsRequest.protoName
        )
        let search = try SearchRegisteredModelsRequest(serializedBytes: bare)
        #expect(search.maxResults == 0 && search.orderBy == ["name DESC"])
        let wrapped = try encoder.encode(#"{"max_results": {"value": 7}}"#, as: SearchRegisteredModelsRequest.protoName)
        #expect(try SearchRegisteredModelsRequest(serializedBytes: wrapped).maxResults == 7)
        let absent = try encoder.encode(#"{"maxResults": null}"#, as: SearchRegisteredModelsRequest.protoName)
        #expect(try SearchRegisteredModelsRequest(serializedBytes: absent).maxResults == nil)
    }

    @Test func mapsEnumsAndSpecialNumbers() throws {
        let json = #"{"status": "SERVING_STATUS_NOT_SERVING", "reason": "ü"}"#
        let health = try HealthCheckResponse(serializedBytes: encoder.encode(json, as: HealthCheckResponse.protoName))
        #expect(health == HealthCheckResponse(status: .notServing, reason: "ü"))
        let unknown = try encoder.encode(#"{"status": 77}"#, as: HealthCheckResponse.protoName)
        #expect(try HealthCheckResponse(serializedBytes: unknown).status == .unrecognized(77))
        let version = try encoder.encode(
            #"{"name": "m", "tags": {"team": "risk", "": "empty key"}, "f1Score": "NaN", "brierScore": "-Infinity"}"#,
            as: CreateModelVersionRequest.protoName
        )
        let request = try CreateModelVersionRequest(serializedBytes: version)
        #expect(request.tags == ["team": "risk", "": "empty key"])
        #expect(request.f1Score?.isNaN == true && request.brierScore == -.infinity)
    }

    @Test(
        "what is not the message is refused, naming the member",
        arguments: [
            (#"{"nmae": "m"}"#, "nmae: no such field in mlops.v1.CreateModelVersionRequest (it has: name, source,"),
            (#"{"name": 5}"#, "name: expected a string, got a number"),
            (#"{"tags": ["a"]}"#, "tags: expected an object (a map), got an array"),
            (#"{"tags": {"k": 1}}"#, "tags.k: expected a string, got a number"),
            (#"{"f1Score": "high"}"#, "f1Score.value: expected a number"),
            (
                #"{"name": "a", "name": null, "description": "d", "source": "s", "run_id": "r", "runId": "r"}"#,
                "given twice"
            ),
            (#"["name"]"#, "expected an object (mlops.v1.CreateModelVersionRequest), got an array"),
            (#"{"name": "m""#, "not valid JSON"),
        ]
    )
    func refused(json: String, error: String) {
        let refusal = refusal(json, as: CreateModelVersionRequest.protoName)
        #expect(refusal?.contains(error) == true, "\(refusal ?? "accepted")")
    }

    @Test func numbersOutOfTheirFieldsRangeAreRefused() throws {
        let cases: [(String, String, String)] = [
            (
                #"{"maxResults": 3000000000}"#, SearchRegisteredModelsRequest.protoName,
                "maxResults.value: expected a whole number from -2147483648 to 2147483647"
            ),
            (#"{"candidateVersion": 1.5}"#, EvaluateRequest.protoName, "candidateVersion: expected a whole number"),
            (#"{"labels": [1, "two"]}"#, EvaluateRequest.protoName, "labels[1]: expected a whole number"),
            (
                #"{"triggerReason": "TRIGGER_REASON_WHIM"}"#, EvaluateRequest.protoName,
                "triggerReason: \"TRIGGER_REASON_WHIM\" is not a value of mlops.v1.TriggerReason"
            ),
            (#"{"dryRun": "yes"}"#, EvaluateRequest.protoName, "dryRun: expected true or false"),
        ]
        for (json, message, error) in cases {
            let refusal = refusal(json, as: message)
            #expect(refusal?.hasPrefix(error) == true, "\(json): \(refusal ?? "accepted")")
        }
        // 64-bit values survive as strings, where a double would round them.
        let big = try encoder.encode(#"{"candidateVersion": "9223372036854775807"}"#, as: EvaluateRequest.protoName)
        #expect(try EvaluateRequest(serializedBytes: big).candidateVersion == .max)
    }

    /// The API has no float, sint or fixed field; a message made here has one of each kind, and the
    /// bytes expected are protobuf's encoding guide's.
    @Test func everyScalarKindOnTheWire() throws {
        let kinds: [FieldSchema.Kind] = [
            .sint32, .sint64, .sfixed32, .sfixed64, .fixed32, .fixed64, .float, .uint32, .int32,
        ]
        let fields = kinds.enumerated().map {
            FieldSchema(name: "f\($0.offset + 1)", number: UInt32($0.offset + 1), label: .singular, kind: $0.element)
        }
        let scalars = JSONMessageEncoder(
            messages: [MessageSchema(fullName: "test.Kinds", cName: "", fields: fields)],
            enums: []
        )
        func bytes(_ json: String) throws -> [UInt8] { try scalars.encode(json, as: "test.Kinds") }
        #expect(try bytes(#"{"f1": -1, "f2": "-2"}"#) == [0x08, 0x01, 0x10, 0x03])
        #expect(try bytes(#"{"f1": 2147483647}"#) == [0x08, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(try bytes(#"{"f3": -1, "f4": 1}"#) == [0x1D, 0xFF, 0xFF, 0xFF, 0xFF, 0x21, 1, 0, 0, 0, 0, 0, 0, 0])
        #expect(
            try bytes(#"{"f5": 4294967295, "f6": "18446744073709551615"}"#) == [0x2D, 0xFF, 0xFF, 0xFF, 0xFF, 0x31]
                + Array(repeating: 0xFF, count: 8)
        )
        #expect(try bytes(#"{"f7": 1.5}"#) == [0x3D, 0x00, 0x00, 0xC0, 0x3F])
        #expect(
            try bytes(#"{"f7": "3.4028235e+38"}"#) == [0x3D, 0xFF, 0xFF, 0x7F, 0x7F],
            "float32's largest, as it is printed"
        )
        #expect(
            try bytes(#"{"f8": 300, "f9": -1}"#) == [0x40, 0xAC, 0x02, 0x48] + Array(repeating: 0xFF, count: 9) + [0x01]
        )
        #expect(refusal(#"{"f7": 1e39}"#, in: scalars, as: "test.Kinds") == "f7: 1e+39 is out of range for a float")
        #expect(
            refusal(#"{"f8": -1}"#, in: scalars, as: "test.Kinds") == "f8: expected a whole number from 0 to 4294967295"
        )
    }

    /// Why `json` is not a `message`; nil when it is one.
    private func refusal(_ json: String, in encoder: JSONMessageEncoder? = nil, as message: String) -> String? {
        do {
            _ = try (encoder ?? self.encoder).encode(json, as: message)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func methodsAreFoundByPath() throws {
        let found = try #require(ProtoCatalog.method(path: "/mlops.v1.ModelRegistry/GetLatestVersions"))
        #expect(found.service.fullName == "mlops.v1.ModelRegistry")
        #expect(found.method.inputFullName == "mlops.v1.GetLatestVersionsRequest" && !found.method.isServerStreaming)
        #expect(ProtoCatalog.method(path: "mlops.v1.Monitoring/GetArtifact")?.method.isServerStreaming == true)
        #expect(ProtoCatalog.method(path: "/mlops.v1.ModelRegistry/Nope") == nil)
        #expect(ProtoCatalog.method(path: "/mlops.v1.ModelRegistry") == nil)
    }
}
