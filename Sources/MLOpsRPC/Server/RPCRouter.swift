public import MLOpsMessages
package import NIOCore

/// The typed handlers a server answers with, keyed by method path.
public struct RPCRouter: Sendable {
    package typealias Handler =
        @Sendable (ByteBuffer, ServerCallContext, ResponseSink) async throws -> Void

    /// Answers one request message of a bidirectional stream.
    package typealias ExchangeHandler = @Sendable (ByteBuffer, ServerCallContext) throws -> [UInt8]

    package var handlers: [String: Handler] = [:]
    package var exchanges: [String: ExchangeHandler] = [:]

    public init() {}

    /// Answers `method` with one response per request.
    public mutating func register<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ handler: @escaping @Sendable (Request, ServerCallContext) async throws -> Response
    ) {
        precondition(!method.isServerStreaming, "\(method.path) streams: register a streaming handler")
        handlers[method.path] = { bytes, context, sink in
            let request = try Self.decode(Request.self, bytes, method: method.path)
            try sink.send(try await handler(request, context))
        }
    }

    /// Answers `method` with a stream of responses, written through the writer.
    public mutating func register<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        streaming handler:
            @escaping @Sendable (Request, ResponseStreamWriter<Response>, ServerCallContext) async throws -> Void
    ) {
        precondition(method.isServerStreaming, "\(method.path) is unary: register a unary handler")
        handlers[method.path] = { bytes, context, sink in
            let request = try Self.decode(Request.self, bytes, method: method.path)
            try await handler(request, ResponseStreamWriter(sink: sink), context)
        }
    }

    /// Answers each request message of a bidirectional stream with one
    /// response, at once and in order, until the caller ends its side: for
    /// answers that need no I/O, such as server reflection's. Only gRPC
    /// carries such streams.
    public mutating func registerExchange<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ handler: @escaping @Sendable (Request, ServerCallContext) throws -> Response
    ) {
        precondition(method.isServerStreaming, "\(method.path) is unary: register a unary handler")
        exchanges[method.path] = { bytes, context in
            let request = try Self.decode(Request.self, bytes, method: method.path)
            do {
                return try handler(request, context).serializedBytes()
            } catch let error as MessageCodingError {
                throw RPCError(code: .internal, message: "\(method.path): the response does not encode: \(error)")
            }
        }
    }

    private static func decode<Request: ProtobufMessage>(
        _: Request.Type,
        _ bytes: ByteBuffer,
        method: String
    ) throws(RPCError) -> Request {
        do {
            return try Request(buffer: bytes)
        } catch {
            throw RPCError(
                code: .invalidArgument,
                message: "\(method): the request is not a \(Request.protoName): \(error)"
            )
        }
    }
}

/// Writes a streaming handler's responses, one frame each.
public struct ResponseStreamWriter<Response: ProtobufMessage>: Sendable {
    let sink: ResponseSink

    /// Sends one response, returning once the connection has room for the
    /// next. Throws `CancellationError` once the caller has gone.
    public func write(_ response: Response) async throws {
        try await sink.sendPaced(response)
    }
}

/// A router is itself a set of methods: one can be served beside others.
extension RPCRouter: RPCService {
    public func register(in router: inout RPCRouter) {
        router.handlers.merge(handlers) { _, new in new }
        router.exchanges.merge(exchanges) { _, new in new }
    }
}
