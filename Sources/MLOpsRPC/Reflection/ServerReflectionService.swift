package import MLOpsMessages

/// gRPC's server reflection, `grpc.reflection.v1` and its older name
/// `v1alpha`: lists the services a server serves and hands out the proto
/// files that describe them, so tools such as grpcurl need no proto files.
public struct ServerReflectionService: RPCService {
    static let methods = ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"].map {
        RPCMethod<ServerReflectionRequest, ServerReflectionResponse>(
            service: $0,
            method: "ServerReflectionInfo",
            isServerStreaming: true
        )
    }

    /// Fully qualified, sorted; reflection itself included.
    let services: [String]
    let files: DescriptorFiles

    /// Reflection for the services `router` serves, described by protos/.
    public init(serving router: RPCRouter) {
        self.init(serving: router, files: .served)
    }

    package init(serving router: RPCRouter, files: DescriptorFiles) {
        let paths = Array(router.handlers.keys) + Array(router.exchanges.keys) + Self.methods.map(\.path)
        // "/mlops.v1.ModelRegistry/GetModelVersion" → "mlops.v1.ModelRegistry"
        services = Set(paths.compactMap { $0.split(separator: "/").first.map(String.init) }).sorted()
        self.files = files
    }

    public func register(in router: inout RPCRouter) {
        for method in Self.methods {
            router.registerExchange(method) { request, _ in answer(request) }
        }
    }

    package func answer(_ request: ServerReflectionRequest) -> ServerReflectionResponse {
        ServerReflectionResponse(validHost: request.host, originalRequest: request, answer: answer(request.question))
    }

    private func answer(_ question: ServerReflectionRequest.Question?) -> ServerReflectionResponse.Answer {
        switch question {
        case .listServices:
            return .services(services)
        case .fileByFilename(let name):
            guard let file = files.file(named: name) else { return notFound("no file named \(quoted(name))") }
            return .fileDescriptors(files.withImports(file).map(\.encoded))
        case .fileContainingSymbol(let symbol):
            guard let file = files.file(definingSymbol: symbol) else {
                return notFound("no symbol named \(quoted(symbol))")
            }
            return .fileDescriptors(files.withImports(file).map(\.encoded))
        case .fileContainingExtension(let type, _):
            return notFound("\(quoted(type)) has no extensions: these protos define none")
        case .allExtensionNumbersOfType(let type):
            guard files.file(definingSymbol: type) != nil else { return notFound("no type named \(quoted(type))") }
            return .extensionNumbers(baseTypeName: type, numbers: [])
        case nil:
            return .error(code: Int32(StatusCode.invalidArgument.rawValue), message: "the request asks nothing")
        }
    }

    private func notFound(_ message: String) -> ServerReflectionResponse.Answer {
        .error(code: Int32(StatusCode.notFound.rawValue), message: message)
    }

    /// A name from the caller, cut short: it is echoed back.
    private func quoted(_ name: String) -> String {
        name.count > 200 ? "'\(name.prefix(200))…'" : "'\(name)'"
    }
}
