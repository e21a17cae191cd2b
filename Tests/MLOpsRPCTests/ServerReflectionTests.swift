import MLOpsMessages
import Testing

@testable import MLOpsRPC

/// Server reflection's answers, from the descriptor set compiled in.
@Suite("Server reflection")
struct ServerReflectionTests {
    private let reflection: ServerReflectionService = {
        var router = RPCRouter()
        router.register(TestMethods.whoAmI) { _, _ in HealthCheckResponse() }
        return ServerReflectionService(serving: router, files: .served)
    }()

    private func ask(_ question: ServerReflectionRequest.Question?) throws -> ServerReflectionResponse.Answer? {
        // Through the wire format both ways, as a caller would see it.
        let request = try ServerReflectionRequest(
            serializedBytes: ServerReflectionRequest(host: "h", question: question).serializedBytes()
        )
        let response = try ServerReflectionResponse(serializedBytes: reflection.answer(request).serializedBytes())
        #expect(response.validHost == "h")
        #expect(response.originalRequest?.question == question)
        return response.answer
    }

    private func fileNames(_ answer: ServerReflectionResponse.Answer?) -> [String] {
        guard case .fileDescriptors(let files) = answer else { return [] }
        // A FileDescriptorProto starts with its name: field 1, length, bytes.
        return files.map { String(decoding: $0.dropFirst(2).prefix(Int($0[1])), as: UTF8.self) }
    }

    @Test func listsTheServicesServedAndItself() throws {
        let answer = try ask(.listServices("*"))
        #expect(
            answer
                == .services(
                    [
                        TestMethods.whoAmI.path.split(separator: "/")[0].description,
                        "grpc.reflection.v1.ServerReflection",
                        "grpc.reflection.v1alpha.ServerReflection",
                    ].sorted()
                )
        )
    }

    @Test(arguments: [
        "mlops.v1.ModelRegistry",
        "mlops.v1.ModelRegistry.TransitionModelVersionStage",
        "mlops.v1.ModelVersion",
        "mlops.v1.ModelVersionEventKind",
    ])
    func aSymbolGivesItsFileThenItsImports(symbol: String) throws {
        #expect(
            fileNames(try ask(.fileContainingSymbol(symbol))) == ["mlops/v1/registry.proto", "mlops/v1/values.proto"]
        )
    }

    @Test func nestedSymbolsAndTheStandardServicesAreDescribed() throws {
        #expect(
            fileNames(try ask(.fileContainingSymbol("grpc.health.v1.HealthCheckResponse.ServingStatus"))) == [
                "grpc/health/v1/health.proto"
            ]
        )
        #expect(
            fileNames(try ask(.fileByFilename("grpc/reflection/v1alpha/reflection.proto"))) == [
                "grpc/reflection/v1alpha/reflection.proto"
            ]
        )
    }

    @Test func theInternalDescriptorViewIsNotServed() throws {
        #expect(DescriptorFiles.served.file(named: "internal/descriptor_view.proto") == nil)
    }

    @Test func unknownNamesAreNotFoundAndExtensionsAreNone() throws {
        #expect(try ask(.fileByFilename("nope.proto")) == .error(code: 5, message: "no file named 'nope.proto'"))
        let longName = try ask(.fileContainingSymbol(String(repeating: "x", count: 5000)))
        if case .error(let code, let message) = longName {
            #expect(code == 5 && message.utf8.count < 300, "the caller's name is echoed cut short")
        } else {
            Issue.record("a 5000-character symbol was answered: \(String(describing: longName))")
        }
        #expect(
            try ask(.allExtensionNumbersOfType("mlops.v1.ModelVersion"))
                == .extensionNumbers(baseTypeName: "mlops.v1.ModelVersion", numbers: [])
        )
        let anExtension = try ask(.fileContainingExtension(containingType: "mlops.v1.ModelVersion", number: 100))
        #expect(anExtension.map { if case .error(5, _) = $0 { true } else { false } } == true)
        let nothing = try ask(nil)
        #expect(nothing.map { if case .error(3, _) = $0 { true } else { false } } == true)
    }
}
