import ArgumentParser
import Foundation
import MLOpsMessages
import MLOpsRPC
import MLOpsTLSTransport

extension BenchCommand {
    /// Any unary method, by its path, with a request written as JSON.
    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Calls of any unary method, named by its path, with the request in protobuf's JSON mapping.",
            discussion: """
                The request's members are the message's fields, named as in protos/ or in lowerCamelCase; \
                64-bit integers may be strings, enums are names, bytes base64, maps objects. The same request is \
                sent on every call; the answers are counted, not shown. The service is the one the path names \
                (for Health: --service, else the registry).

                Examples:
                  mlopsctl bench call /mlops.v1.ModelRegistry/GetRegisteredModel --request '{"name": "m"}'
                  mlopsctl bench call /mlops.v1.Monitoring/GetLatestMetrics --request-file latest.json --rate 200
                """
        )
        @Argument(help: "The method: /mlops.v1.<Service>/<Method>.") var path: String
        @Option(help: "The request as JSON text.") var request: String?
        @Option(help: "A file holding the request as JSON (- for standard input).") var requestFile: String?
        @Option(help: "registry, monitoring or gate; by default the one the path names.") var service: BenchTarget?
        @OptionGroup var load: BenchOptions
        @OptionGroup var connection: ConnectionOptions

        func validate() throws {
            guard (request == nil) != (requestFile == nil) else {
                throw ValidationError("give the request as --request JSON or --request-file FILE")
            }
        }

        func run() async throws {
            guard let (rpcService, method) = ProtoCatalog.method(path: path) else {
                throw CommandFailure("no method \(path); methods are named /mlops.v1.<Service>/<Method>")
            }
            guard !method.isServerStreaming else {
                throw CommandFailure("\(path) answers with a stream; bench calls unary methods")
            }
            let json = try requestFile.map(Self.read) ?? request!
            let bytes: [UInt8]
            do {
                bytes = try JSONMessageEncoder().encode(json, as: method.inputFullName)
            } catch {
                throw CommandFailure("the request is not a \(method.inputFullName): \(error)")
            }
            let target = service ?? BenchTarget.allCases.first { $0.rpcService == rpcService.fullName } ?? .registry
            let rpc = RPCMethod<EncodedMessage, EncodedMessage>(
                service: rpcService.fullName,
                method: method.name,
                isServerStreaming: false
            )
            let (message, options) = (EncodedMessage(bytes: bytes), connection.callOptions)
            try await load.run("call \(method.name)", method: rpc.path, target: target, connection: connection) {
                client,
                _ in
                _ = try await client.unary(rpc, message, options: options)
            }
        }

        private static func read(_ file: String) throws -> String {
            guard file != "-" else {
                return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            }
            return try String(contentsOfFile: file, encoding: .utf8)
        }
    }
}
